import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { NotFound } from '../../errors/domain-error.js';
import { checkMayReadHistory } from './history-access.js';
import { changedFields, changeKind, HistoryPage, type ChangeKind } from './history-page.js';

/** A change-set as a whole: who, when, what, how many records, and its digest. */
export interface ChangeSetInfo {
  id: number;
  action: string;
  actorLabel: string;
  actorId: string | null;
  at: string;
  auditSeq: number | null;
  records: number;
  fields: string[];
  digest: string | null;
  revertsChangeSetId: number | null;
  /** Later change-sets that reverted this one (newest last). */
  revertedBy: Array<{ id: number; auditSeq: number | null }>;
}

/** One record of a change-set: its values before and after, for the fields it changed ({} for a created record). */
export interface ChangeSetRow {
  recordId: number;
  kind: ChangeKind;
  fields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

interface InfoRow {
  id: string;
  action: string;
  actorLabel: string;
  actorId: string | null;
  at: Date;
  auditSeq: string | null;
  records: number;
  fields: string[];
  digest: string | null;
  revertsChangeSetId: string | null;
  revertedBy: Array<{ id: number; auditSeq: number | null }> | null;
}

interface RawRow {
  recordId: string;
  kind: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

const nullableNumber = (value: string | number | null) => (value === null ? null : Number(value));

/** The change-set's summary (records.history). */
export async function changeSetInfo(actor: Actor, changeSetId: number): Promise<ChangeSetInfo> {
  checkMayReadHistory(actor);
  const [row] = await sequelizeOf().query<InfoRow>(
    `SELECT id, action, actor_label AS "actorLabel", actor_id AS "actorId", created_at AS at, audit_seq AS "auditSeq",
            record_count AS records, fields, digest, reverts_change_set_id AS "revertsChangeSetId",
            (SELECT jsonb_agg(jsonb_build_object('id', r.id, 'auditSeq', r.audit_seq) ORDER BY r.id)
               FROM change_sets r WHERE r.reverts_change_set_id = change_sets.id) AS "revertedBy"
       FROM change_sets WHERE id = :id`,
    { replacements: { id: changeSetId }, type: QueryTypes.SELECT },
  );
  if (!row) throw new NotFound('change_set.not_found', `There is no change-set ${changeSetId}.`);
  return {
    id: Number(row.id),
    action: row.action,
    actorLabel: row.actorLabel,
    actorId: row.actorId,
    at: new Date(row.at).toISOString(),
    auditSeq: nullableNumber(row.auditSeq),
    records: row.records,
    fields: row.fields,
    digest: row.digest,
    revertsChangeSetId: nullableNumber(row.revertsChangeSetId),
    revertedBy: (row.revertedBy ?? []).map((r) => ({ id: Number(r.id), auditSeq: nullableNumber(r.auditSeq) })),
  };
}

/**
 * One page of a change-set's records in record id order, with the change-set's summary: what the
 * audit event page and the API show. `afterRecordId` reads the page after that record through the
 * primary key (constant time however deep into a million-record change-set); without it, `page`.
 */
export async function changeSetRows(
  actor: Actor,
  changeSetId: number,
  options: Partial<HistoryPage> & { afterRecordId?: number } = {},
): Promise<{ changeSet: ChangeSetInfo; rows: ChangeSetRow[]; total: number; page: number; perPage: number }> {
  const changeSet = await changeSetInfo(actor, changeSetId);
  const { page, perPage } = HistoryPage.parse(options);
  const rows = await readRows(changeSetId, {
    limit: perPage,
    ...(options.afterRecordId === undefined ? { offset: (page - 1) * perPage } : { after: options.afterRecordId }),
  });
  return { changeSet, rows, total: changeSet.records, page, perPage };
}

/** Rows in record id order: after a record id (keyset) or at an offset. */
export async function readRows(
  changeSetId: number,
  window: { limit: number; after?: number; offset?: number },
): Promise<ChangeSetRow[]> {
  const rows = await sequelizeOf().query<RawRow>(
    `SELECT record_id AS "recordId", kind, before, after FROM record_changes
      WHERE change_set_id = :id AND record_id > :after ORDER BY record_id LIMIT :limit OFFSET :offset`,
    {
      replacements: { id: changeSetId, after: window.after ?? 0, limit: window.limit, offset: window.offset ?? 0 },
      type: QueryTypes.SELECT,
    },
  );
  return rows.map((row) => ({
    recordId: Number(row.recordId),
    kind: changeKind(row.kind),
    fields: changedFields(row.after),
    before: row.before,
    after: row.after,
  }));
}
