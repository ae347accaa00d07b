import type { Action, ActionResponse } from 'adminjs';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { revokeApiKey } from '../../../src/auth/api-keys/revoke-api-key.js';
import { SCOPE_HELP } from '../../../src/auth/api-keys/scopes.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

/** "Issue API key" (instead of AdminJS's "new", which nobody has): the key is in the answer once and never stored. */
export const issueApiKey: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Key',
  component: Components.IssueApiKey,
  handler: actionHandler(async (request, _response, { currentAdmin }) => {
    if (request.method !== 'post') return { scopes: SCOPE_HELP };
    const payload = (request.payload ?? {}) as Record<string, string | undefined>;
    const { apiKey, key } = await createApiKey(actorOf(currentAdmin), {
      ownerEmail: payload.ownerEmail ?? '',
      name: payload.name ?? '',
      scopes: (payload.scopes ?? '').split(',').filter(Boolean) as never,
      rateLimit: payload.rateLimit ? payload.rateLimit : null,
      expiresAt: payload.expiresAt ? payload.expiresAt : null,
    });
    return {
      issued: { key, prefix: apiKey.prefix, owner: payload.ownerEmail },
      notice: { type: 'success', message: `API key ${apiKey.prefix} issued: copy it now, it is shown only once.` },
    };
  }),
};

/**
 * "Revoke": refused by every web process within milliseconds (NOTIFY); idempotent. Only a POST
 * revokes (it needs the CSRF token); a GET answers the key as it is and changes nothing.
 */
export const revokeKey: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Slash',
  component: Components.ConfirmAction,
  custom: { question: 'Revoke this API key? Every client using it is refused from now on; this cannot be undone.' },
  handler: actionHandler(async (request, _response, { record, currentAdmin, h, resource }) => {
    if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
    const revoked = await revokeApiKey(actorOf(currentAdmin), String(record!.params.prefix));
    return {
      record: record!.toJSON(currentAdmin),
      notice: { type: 'success', message: `API key ${revoked.prefix} is revoked.` },
      redirectUrl: h.recordActionUrl({
        resourceId: resource.decorate().id(),
        recordId: record!.id(),
        actionName: 'show',
      }),
    };
  }),
};
