import { differsFrom, type TrackedField } from './tracked-field-sql.js';

/**
 * Where each row of a change-set stands now, as SQL over `c` (its record_changes row) and `r` (the
 * record, LEFT JOINed: NULL when gone). One definition for the preview's counts and the revert's
 * writes, so that what the preview promises is what the revert does:
 * - already: the record has its values from before the change again (a created record is deleted);
 * - conflict: changed since: a field differs from what the change wrote (a created record: a later
 *   change-set touched it);
 * - clean: everything else; a revert puts it back.
 */
export interface RevertStateSql {
  already: string;
  conflict: string;
  /** 'missing' | 'already' | 'conflict' | 'clean' */
  state: string;
}

export function revertStateSql(fields: readonly TrackedField[]): RevertStateSql {
  const updatedBack =
    fields.length === 0 ? 'TRUE' : fields.map((f) => `NOT ${differsFrom('r', 'c.before', f)}`).join(' AND ');
  const updatedSince = fields.length === 0 ? 'FALSE' : fields.map((f) => differsFrom('r', 'c.after', f)).join(' OR ');
  const touchedLater = `EXISTS (SELECT 1 FROM record_changes l WHERE l.record_id = c.record_id AND l.change_set_id > c.change_set_id)`;
  const already = `(CASE WHEN c.kind = 'c' THEN r.deleted_at IS NOT NULL ELSE (${updatedBack}) END)`;
  const conflict = `(CASE WHEN c.kind = 'c' THEN ${touchedLater} ELSE (${updatedSince}) END)`;
  return {
    already,
    conflict,
    state: `(CASE WHEN r.id IS NULL THEN 'missing' WHEN ${already} THEN 'already' WHEN ${conflict} THEN 'conflict' ELSE 'clean' END)`,
  };
}
