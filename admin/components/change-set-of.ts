import type { RecordJSON } from 'adminjs';

/** The id of the change-set an audit event recorded (its `change_set` column), or null for events without one. */
export function changeSetIdOf(record: RecordJSON): number | null {
  const id = Number(record.params['changeSet.id']);
  return Number.isInteger(id) && id > 0 ? id : null;
}
