import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { NotFound } from '../../errors/domain-error.js';
import { checkMayReadHistory } from './history-access.js';
import { changedFields, changeKind, HistoryPage, type ChangeKind } from './history-page.js';

/** One change-set that touched a record: who, when, what, and this record's values before and after. */
export interface HistoryEntry {
  changeSetId: number;
  /** The audit action: records.update, records.bulk_update, records.import, records.revert, … */
  action: string;
  actorLabel: string;
  at: string;
  /** The audit event that records the change-set (its page shows the whole change-set). */
  auditSeq: number | null;
  revertsChangeSetId: number | null;
  kind: ChangeKind;
  fields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

interface Row {
  changeSetId: string;
  action: string;
  actorLabel: string;
  at: Date;
  auditSeq: string | null;
  revertsChangeSetId: string | null;
  kind: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Every change-set that touched the record, newest first, however large each was (a bulk edit of a
 * million records included): one index range scan (record_changes_by_record) per page.
 */
export async function recordHistory(
  actor: Actor,
  recordId: number,
  page: Partial<HistoryPage> = {},
): Promise<{ entries: HistoryEntry[]; total: number; page: number; perPage: number }> {
  checkMayReadHistory(actor);
  const { page: number, perPage } = HistoryPage.parse(page);
  const sequelize = sequelizeOf();
  const [counted] = await sequelize.query<{ total: number; exists: boolean }>(
    `SELECT (SELECT count(*)::int FROM record_changes WHERE record_id = :recordId) AS total,
            EXISTS (SELECT 1 FROM records WHERE id = :recordId) AS exists`,
    { replacements: { recordId }, type: QueryTypes.SELECT },
  );
  const total = counted?.total ?? 0;
  if (total === 0 && !counted?.exists) throw new NotFound('record.not_found', `There is no record ${recordId}.`);
  const rows = await sequelize.query<Row>(historySql(), {
    replacements: { recordId, limit: perPage, offset: (number - 1) * perPage },
    type: QueryTypes.SELECT,
  });
  return { entries: rows.map(toEntry), total, page: number, perPage };
}

/** The page query (exported for the benchmark's EXPLAIN). */
export function historySql(): string {
  return `SELECT rc.change_set_id AS "changeSetId", cs.action, cs.actor_label AS "actorLabel", cs.created_at AS at,
                 cs.audit_seq AS "auditSeq", cs.reverts_change_set_id AS "revertsChangeSetId", rc.kind, rc.before, rc.after
            FROM record_changes rc JOIN change_sets cs ON cs.id = rc.change_set_id
           WHERE rc.record_id = :recordId
           ORDER BY rc.change_set_id DESC LIMIT :limit OFFSET :offset`;
}

function toEntry(row: Row): HistoryEntry {
  return {
    changeSetId: Number(row.changeSetId),
    action: row.action,
    actorLabel: row.actorLabel,
    at: new Date(row.at).toISOString(),
    auditSeq: row.auditSeq === null ? null : Number(row.auditSeq),
    revertsChangeSetId: row.revertsChangeSetId === null ? null : Number(row.revertsChangeSetId),
    kind: changeKind(row.kind),
    fields: changedFields(row.after),
    before: row.before,
    after: row.after,
  };
}
