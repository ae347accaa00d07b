import { ApiKey } from '../../../models/api-key.js';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { withAudit } from '../../audit/with-audit.js';
import { Forbidden, NotFound } from '../../errors/domain-error.js';
import { pick } from './create-api-key.js';

/**
 * Revokes the key with this prefix (`mdk_…`, as the console and the audit log show it). Idempotent:
 * revoking a revoked key keeps its first revocation time. Every web process refuses it within
 * milliseconds of the commit (api_keys NOTIFY). Audited as `api_keys.revoke`.
 */
export async function revokeApiKey(actor: Actor, prefix: string): Promise<ApiKey> {
  return withAudit(actor, { action: 'api_keys.revoke', resource: 'apiKeys' }, async (transaction, audit) => {
    const apiKey = await ApiKey.findOne({
      where: { prefix: prefix.trim() },
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    // A key the actor may not see is reported as missing, not as forbidden: prefixes are not a directory.
    if (!apiKey || decide(actor, 'apiKeys', 'show', { ownerId: apiKey.ownerId }) === false) {
      throw new NotFound(
        'apiKey.not_found',
        `There is no API key with prefix "${prefix}": the prefix is the key's first part, e.g. mdk_ab12cd34.`,
      );
    }
    audit.note({ recordIds: [apiKey.id] });
    if (decide(actor, 'apiKeys', 'revoke', { ownerId: apiKey.ownerId }) === false)
      throw new Forbidden('apiKeys.forbidden', 'You may not revoke this key.');
    const before = pick(apiKey);
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = new Date();
      await apiKey.save({ transaction });
    }
    audit.note({ before, after: pick(apiKey) });
    return apiKey;
  });
}
