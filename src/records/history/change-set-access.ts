import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { Forbidden } from '../../errors/domain-error.js';
import { editableRecordFields } from '../editable-record-fields.js';

/** What a revert or a restore would write: the fields it changes, and whether it deletes records it created. */
export interface WriteScope {
  fields: readonly string[];
  /** Reverting created records deletes them: only roles that may change every field may. */
  deletesCreated: boolean;
}

const ROLE_REFUSALS = {
  revert:
    'Your role may look at change-sets but not revert them: ask a content manager or an admin to revert this one.',
  restoreVersion:
    "Your role may look at a record's history but not restore it: ask a content manager or an admin to restore this version.",
} as const;

/**
 * Why `actor` may not write `scope` through `action` (records.revert or records.restoreVersion), or
 * null when they may: the rule table for the action, then the fields their role may change
 * (editableRecordFields, the bulk edit's and the record form's rule), then, for a write that
 * changes whether records are deleted, the rule for bringing deleted records back (records.restoreDeleted):
 * undoing a delete must not be a way around it.
 */
export function refusalOf(actor: Actor, action: 'revert' | 'restoreVersion', scope: WriteScope): Forbidden | null {
  if (decide(actor, 'records', action) !== true)
    return new Forbidden(`history.${action}_forbidden`, ROLE_REFUSALS[action]);
  const allowed = editableRecordFields(actor);
  const what = action === 'revert' ? 'revert this change-set' : 'restore this version';
  const doing = action === 'revert' ? 'Reverting this change-set' : 'Restoring this version';
  if (allowed !== 'all') {
    const refused = scope.fields.filter((field) => !allowed.includes(field));
    if (scope.deletesCreated)
      return new Forbidden(
        `history.${action}_fields_forbidden`,
        `Your role may change only: ${allowed.join(', ')}; to ${what} records it created would be deleted: ask a content manager or an admin.`,
      );
    if (refused.length > 0)
      return new Forbidden(
        `history.${action}_fields_forbidden`,
        `Your role may change only: ${allowed.join(', ')} (not ${refused.join(', ')}): ask a content manager or an admin to ${what}.`,
        Object.fromEntries(refused.map((f) => [f, 'not editable by your role'])),
      );
  }
  if (scope.fields.includes('deletedAt') && decide(actor, 'records', 'restoreDeleted') !== true)
    return new Forbidden(
      `history.${action}_deleted_forbidden`,
      `${doing} would delete records or bring deleted ones back, and only admins restore deleted records: ask an admin to ${what}.`,
    );
  return null;
}
