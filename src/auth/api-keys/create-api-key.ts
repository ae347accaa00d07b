import * as z from 'zod';
import { ApiKey, apiKeyAuditedFields } from '../../../models/api-key.js';
import { ApiScope } from '../../../models/enums.js';
import { User } from '../../../models/user.js';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { withAudit } from '../../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../../errors/domain-error.js';
import { generateKey } from './key-secret.js';
import { SCOPE_HELP, unusableScopes } from './scopes.js';

export const CreateApiKeyInput = z.object({
  ownerEmail: z.string().trim().toLowerCase().min(1, 'name the user the key acts for (their email)'),
  name: z
    .string()
    .trim()
    .min(1, 'say what the key is for, e.g. "fraud-service production"')
    .max(100, 'at most 100 characters'),
  scopes: z
    .array(ApiScope, { error: `scopes are some of: ${ApiScope.options.join(', ')}` })
    .min(1, `give at least one scope: ${ApiScope.options.join(', ')}`)
    .transform((scopes) => [...new Set(scopes)]),
  /** Requests per minute for this key; null: the server's default (API_KEY_RATE_LIMIT). */
  rateLimit: z.coerce.number().int('a whole number of requests per minute').min(1).max(1_000_000).nullish(),
  expiresAt: z.coerce
    .date({ error: 'give a date, e.g. 2027-06-30 or 2027-06-30T12:00:00Z' })
    .refine((date) => date.getTime() > Date.now(), 'the expiry must be in the future')
    .nullish(),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The whole key: shown once, never stored. */
  key: string;
}

/** Issues a key for a user (admins only; audited as `apiKeys.create`, without the secret). */
export async function createApiKey(actor: Actor, raw: CreateApiKeyInput): Promise<CreatedApiKey> {
  return withAudit(actor, { action: 'api_keys.create', resource: 'apiKeys' }, async (transaction, audit) => {
    if (decide(actor, 'apiKeys', 'issue') === false)
      throw new Forbidden('apiKeys.forbidden', 'Only administrators issue API keys.');
    const parsed = CreateApiKeyInput.safeParse(raw);
    if (!parsed.success) {
      const fields = Object.fromEntries(
        parsed.error.issues.map((issue) => [String(issue.path[0] ?? 'input'), issue.message]),
      );
      throw new InvalidInput(
        'apiKey.invalid',
        `The key cannot be issued: ${Object.entries(fields)
          .map(([f, m]) => `${f}: ${m}`)
          .join('; ')}.`,
        fields,
      );
    }
    const input = parsed.data;
    const owner = await User.findOne({ where: { email: input.ownerEmail }, transaction });
    if (!owner)
      throw new NotFound(
        'apiKey.owner_not_found',
        `There is no user ${input.ownerEmail}: create the user first (cli createuser), then the key.`,
        { ownerEmail: 'no such user' },
      );
    if (!owner.active)
      throw new InvalidInput(
        'apiKey.owner_inactive',
        `${owner.email} is deactivated: a key acts as its owner, so it could do nothing.`,
        { ownerEmail: 'deactivated user' },
      );
    const unusable = unusableScopes({ type: 'user', id: owner.id, email: owner.email, role: owner.role }, input.scopes);
    if (unusable.length > 0) {
      const which = unusable.map((s) => `${s} (${SCOPE_HELP[s]})`).join(', ');
      throw new InvalidInput(
        'apiKey.scope_beyond_role',
        `A key acts with its owner's role, and a ${owner.role} may not ${which}: drop ${unusable.length === 1 ? 'that scope' : 'those scopes'} or choose another owner.`,
        { scopes: `not allowed for a ${owner.role}: ${unusable.join(', ')}` },
      );
    }
    const { key, prefix, secretHash } = generateKey();
    const apiKey = await ApiKey.create(
      {
        ownerId: owner.id,
        name: input.name,
        prefix,
        secretHash,
        scopes: input.scopes,
        rateLimit: input.rateLimit ?? null,
        expiresAt: input.expiresAt ?? null,
        revokedAt: null,
        lastUsedAt: null,
      },
      { transaction },
    );
    audit.note({ recordIds: [apiKey.id], after: pick(apiKey) });
    return { apiKey, key };
  });
}

export function pick(apiKey: ApiKey): Record<string, unknown> {
  return Object.fromEntries(apiKeyAuditedFields.map((field) => [field, apiKey.get(field)]));
}
