import type { ResourceWithOptions } from 'adminjs';
import { User, userAuditedFields } from '../models/user.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import { Navigation } from '../admin/navigation.js';
import { Components, historyLink } from '../admin/components.js';
import { userActivityAction } from '../admin/actions/hubs/index.js';
import { MIN_PASSWORD_LENGTH } from '../src/auth/password-policy.js';
import { prepareUserPayload } from './hooks/prepare-user-payload.js';
import { deleteUserAction, editUser } from '../admin/actions/users/index.js';

export const userResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(User),
  options: {
    id: 'users',
    navigation: Navigation.access,
    listProperties: ['id', 'email', 'name', 'role', 'active', 'lastLoginAt', 'lockedUntil'],
    filterProperties: ['email', 'role', 'active', 'lastLoginAt'],
    showProperties: [
      'id',
      'email',
      'name',
      'role',
      'active',
      'failedLogins',
      'lockedUntil',
      'lastLoginAt',
      'passwordChangedAt',
      'createdAt',
      'hub',
      'history',
    ],
    editProperties: ['email', 'name', 'role', 'active', 'newPassword'],
    sort: { sortBy: 'email', direction: 'asc' },
    properties: {
      ...historyLink,
      hub: {
        description: 'What the user did last, from the audit log.',
        components: { show: Components.UserActivity },
        isVisible: { list: false, show: true, edit: false, filter: false },
      },
      email: { isTitle: true, description: 'Sign-in name; stored in lower case.' },
      name: { description: "The person's name, shown beside their email (optional)." },
      lastLoginAt: { description: 'The last successful sign-in.' },
      passwordChangedAt: { description: 'When the password was last set.' },
      role: {
        description:
          'admin: everything. data_scientist: datasets, labels, models, scoring. content_manager: records, import/export. auditor: read-only, incl. the audit log.',
      },
      active: { description: 'Inactive users cannot sign in, and their open sessions end at their next request.' },
      failedLogins: { description: 'Wrong passwords in a row; at 5 the account locks for 15 minutes.' },
      lockedUntil: {
        description:
          'Sign-in is refused until this time (after repeated wrong passwords). Setting a new password unlocks.',
      },
      newPassword: {
        type: 'password',
        description: `Set a new password (at least ${MIN_PASSWORD_LENGTH} characters, not a common one). Leave empty to keep the current one.`,
      },
      passwordHash: { isVisible: false },
    },
    actions: withAccess('users', userAuditedFields, {
      new: { before: [prepareUserPayload] },
      // Edit and delete go through src/users (an active admin always remains); creating cannot remove one.
      edit: editUser,
      delete: deleteUserAction,
      hub: userActivityAction,
    }),
  },
});
