import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import { NotFound } from '../../errors/domain-error.js';
import { isTrackedField, type TrackedField } from './tracked-field-sql.js';

/** A change-set's row, as revert and restore need it. */
export interface ChangeSetFacts {
  id: number;
  action: string;
  actorLabel: string;
  createdAt: Date;
  auditSeq: number | null;
  records: number;
  fields: TrackedField[];
  revertsChangeSetId: number | null;
  /** Whether it created records (a revert deletes them). */
  created: boolean;
}

/** The change-set, or NotFound with what to do. `lock`: its row, so that two reverts of it take turns. */
export async function findChangeSet(
  id: number,
  options: { transaction?: Transaction; lock?: boolean } = {},
): Promise<ChangeSetFacts> {
  const [row] = await sequelizeOf().query<{
    id: string;
    action: string;
    actor_label: string;
    created_at: Date;
    audit_seq: string | null;
    record_count: number;
    fields: string[];
    reverts_change_set_id: string | null;
    created: boolean;
  }>(
    `SELECT cs.id, cs.action, cs.actor_label, cs.created_at, cs.audit_seq, cs.record_count, cs.fields,
            cs.reverts_change_set_id,
            EXISTS (SELECT 1 FROM record_changes c WHERE c.change_set_id = cs.id AND c.kind = 'c') AS created
       FROM change_sets cs WHERE cs.id = :id ${options.lock ? 'FOR NO KEY UPDATE OF cs' : ''}`,
    { replacements: { id }, type: QueryTypes.SELECT, transaction: options.transaction },
  );
  if (!row)
    throw new NotFound(
      'change_set.not_found',
      `There is no change-set ${id}: open the change from its audit event or from the record's History.`,
    );
  return {
    id: Number(row.id),
    action: row.action,
    actorLabel: row.actor_label,
    createdAt: row.created_at,
    auditSeq: row.audit_seq === null ? null : Number(row.audit_seq),
    records: Number(row.record_count),
    fields: row.fields.filter(isTrackedField),
    revertsChangeSetId: row.reverts_change_set_id === null ? null : Number(row.reverts_change_set_id),
    created: row.created,
  };
}
