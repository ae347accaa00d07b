import type { ResourceWithOptions } from 'adminjs';
import { ApiKey, apiKeyAuditedFields } from '../models/api-key.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink } from '../admin/components.js';
import { addPersonLabels } from './hooks/add-person-labels.js';
import { issueApiKey, revokeKey } from '../admin/actions/api-keys/index.js';

export const apiKeyResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(ApiKey),
  options: {
    id: 'apiKeys',
    navigation: Navigation.access,
    listProperties: ['id', 'name', 'prefix', 'ownerId', 'scopes', 'expiresAt', 'revokedAt', 'lastUsedAt'],
    // No person filter: its drawer searches users, which a data scientist may not (a 403, audited as denied).
    filterProperties: ['name', 'prefix', 'revokedAt', 'expiresAt'],
    showProperties: [
      'id',
      'name',
      'prefix',
      'ownerId',
      'scopes',
      'rateLimit',
      'expiresAt',
      'revokedAt',
      'lastUsedAt',
      'createdAt',
      'history',
    ],
    editProperties: [],
    properties: {
      ...historyLink,
      name: { isTitle: true, description: 'What the key is for (e.g. "fraud-service production").' },
      prefix: {
        description: 'The first characters of the key, shown to identify it; the secret itself is never stored.',
      },
      ownerId: {
        reference: 'users',
        description: 'The user the key acts for.',
        components: { list: Components.PersonEmail, show: Components.PersonEmail },
      },
      scopes: {
        description: 'What the key may do: predict, records:read, records:write, models:write, jobs:write.',
        components: { list: Components.BadgeList, show: Components.BadgeList },
      },
      rateLimit: { description: 'Requests per minute allowed for this key (empty: the server default).' },
      expiresAt: { description: 'After this time the key is refused.' },
      revokedAt: {
        description: 'Set when the key was revoked (action "Revoke"); every web process refuses it from then on.',
      },
      lastUsedAt: { description: 'The last request made with the key (updated at most once a minute).' },
      secretHash: { isVisible: false },
    },
    actions: withAccess('apiKeys', apiKeyAuditedFields, {
      list: { after: [addPersonLabels(['ownerId'])] },
      show: { after: [addPersonLabels(['ownerId'])] },
      issue: issueApiKey,
      revoke: revokeKey,
    }),
  },
});
