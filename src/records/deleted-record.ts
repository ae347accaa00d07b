import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { Gone, NotFound } from '../errors/domain-error.js';

/** What a person asking for a deleted record is told: when, by whom, and whether they may restore it. */
export interface DeletedRecordFacts {
  id: number;
  datasetId: number;
  dataset: string;
  label: string | null;
  deletedAt: string;
  /** Who deleted it (an email, "API key mdk_…", "the CLI (…)"), from the change-set that set deletedAt; null when none recorded it. */
  deletedBy: string | null;
  /** The audit event of the deletion, when recorded. */
  auditSeq: number | null;
  /** The actor's role may restore deleted records. */
  mayRestore: boolean;
}

/**
 * The facts of a soft-deleted record, or null when there is no such deleted record or the actor's
 * role may not read it: then the caller answers as for any record it cannot show. Deleted records
 * stay in the table, so the page that named one can say what happened to it instead of "not found".
 */
export async function findDeletedRecord(actor: Actor, id: number): Promise<DeletedRecordFacts | null> {
  const [facts] = await deletedRecords(actor, 'r.id = :id', { id }, 1);
  return facts ?? null;
}

/** The most recently deleted records the actor's role may read, newest first. */
export async function listRecentlyDeleted(actor: Actor, limit = 50): Promise<DeletedRecordFacts[]> {
  return deletedRecords(actor, 'true', {}, limit);
}

async function deletedRecords(
  actor: Actor,
  where: string,
  replacements: Record<string, unknown>,
  limit: number,
): Promise<DeletedRecordFacts[]> {
  if (decide(actor, 'records', 'show') === false) return [];
  const rows = await sequelizeOf().query<{
    id: string;
    dataset_id: number;
    dataset: string;
    label: string | null;
    deleted_at: Date;
    deleted_by: string | null;
    audit_seq: string | null;
  }>(
    // Who: the latest change-set that set deletedAt (deleted, restored and deleted again: the second time).
    `SELECT r.id, r.dataset_id, d.name AS dataset, r.label, r.deleted_at, cs.actor_label AS deleted_by, cs.audit_seq
       FROM records r
       JOIN datasets d ON d.id = r.dataset_id
       LEFT JOIN LATERAL (
         SELECT c.actor_label, c.audit_seq FROM record_changes rc JOIN change_sets c ON c.id = rc.change_set_id
          WHERE rc.record_id = r.id AND rc.after ->> 'deletedAt' IS NOT NULL
          ORDER BY rc.change_set_id DESC LIMIT 1
       ) cs ON true
      WHERE r.deleted_at IS NOT NULL AND ${where}
      ORDER BY r.deleted_at DESC, r.id DESC LIMIT :limit`,
    { replacements: { ...replacements, limit }, type: QueryTypes.SELECT },
  );
  const mayRestore = decide(actor, 'records', 'restoreDeleted') === true;
  return rows
    .filter((row) => decide(actor, 'records', 'show', { id: Number(row.id), datasetId: row.dataset_id }) !== false)
    .map((row) => ({
      id: Number(row.id),
      datasetId: row.dataset_id,
      dataset: row.dataset,
      label: row.label,
      deletedAt: row.deleted_at.toISOString(),
      deletedBy: row.deleted_by === null ? null : whoOf(row.deleted_by),
      auditSeq: row.audit_seq === null ? null : Number(row.audit_seq),
      mayRestore,
    }));
}

/** An actor label (src/access/actor.ts) as a person reads it: an email, "API key mdk_…", "the CLI (root)". */
function whoOf(label: string): string {
  if (label.startsWith('key:')) return `API key ${label.slice(4)}`;
  if (label.startsWith('cli:')) return `the CLI (${label.slice(4)})`;
  return label;
}

/** "Record 12 was deleted on 2026-12-07 16:20 UTC by ana@example.com" */
export function deletedRecordSentence(facts: Pick<DeletedRecordFacts, 'id' | 'deletedAt' | 'deletedBy'>): string {
  return `Record ${facts.id} was deleted on ${facts.deletedAt.slice(0, 16).replace('T', ' ')} UTC${facts.deletedBy ? ` by ${facts.deletedBy}` : ''}`;
}

/** What deleting a record means and how to undo it: said before a delete, after it, and on a deleted record's page. */
export const SOFT_DELETE_HINT =
  'Deleting only hides a record (a soft delete): it leaves lists, exports and training but keeps its values, history and audit trail, and an admin can bring it back with "Restore deleted" on Records.';

/**
 * Runs `work` on record `id`; when it finds no such record because the record is deleted, answers
 * Gone with when, by whom and how to restore it instead of a bare "not found" (the API's routes).
 */
export async function explainingDeletion<T>(actor: Actor, id: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof NotFound) || error instanceof Gone) throw error;
    const deleted = await findDeletedRecord(actor, id);
    if (!deleted) throw error;
    throw new Gone(
      'record.deleted',
      `${deletedRecordSentence(deleted)}. ${deleted.mayRestore ? 'Restore it in the console ("Deleted records" on Records).' : 'An admin can restore it in the console ("Deleted records" on Records).'}`,
      undefined,
      { cause: error },
    );
  }
}
