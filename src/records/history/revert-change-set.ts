import { QueryTypes, type Transaction } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { recordFailure, withAuditExplicitTransaction } from '../../audit/with-audit.js';
import { constraintMessage } from '../../db/constraint-messages.js';
import { Conflict, InvalidInput } from '../../errors/domain-error.js';
import { refusalOf } from './change-set-access.js';
import { findChangeSet, type ChangeSetFacts } from './find-change-set.js';
import { revertStateSql } from './revert-state-sql.js';
import { assignFromJson, valueFromJson, type TrackedField } from './tracked-field-sql.js';

/** Change-set rows reverted per statement (all in one transaction: nothing is half-reverted). */
const DEFAULT_REVERT_CHUNK_ROWS = 10_000;
/** Reverted record ids named in the audit event, as a preview (the change-set lists them all). */
const AUDITED_IDS = 100;

export const RevertRequest = z
  .object({
    changeSetId: z.coerce
      .number()
      .int('a whole number')
      .positive('a change-set id')
      .meta({ description: 'The change-set to revert.' }),
    conflicts: z.enum(['skip', 'overwrite']).meta({
      description:
        'Records changed since by a later change: `skip` leaves them as they are now, `overwrite` puts them back too.',
    }),
  })
  .meta({ id: 'RevertRequest' });
export type RevertRequest = z.infer<typeof RevertRequest>;

export interface RevertResult {
  /** The revert's own change-set (it can be reverted in turn). */
  changeSetId: number;
  reverted: number;
  /** Conflicting records left as they were (`skip`), and records that no longer exist. */
  skipped: number;
  /** Records that had their earlier values already. */
  alreadyReverted: number;
  source: { changeSetId: number; auditSeq: number | null };
}

export type RevertProgress = (done: number, total: number) => Promise<void>;

const whatOf = (request: RevertRequest, source: { auditSeq: number | null } | null) => ({
  action: 'records.revert',
  resource: 'records',
  selection: {
    source: { changeSetId: request.changeSetId, auditSeq: source?.auditSeq ?? null },
    conflicts: request.conflicts,
  },
});

/**
 * The door of a revert from the console, the API and the job: the change-set exists and the actor
 * may revert it (the rule table, then every field it changed within their editable fields). A
 * refusal is audited as `records.revert`.
 */
export async function checkRevert(actor: Actor, request: RevertRequest): Promise<ChangeSetFacts> {
  let source: ChangeSetFacts | null = null;
  try {
    source = await findChangeSet(request.changeSetId);
    const refusal = refusalOf(actor, 'revert', { fields: source.fields, deletesCreated: source.created });
    if (refusal) throw refusal;
    return source;
  } catch (error) {
    await recordFailure(actor, whatOf(request, source), error);
    throw error;
  }
}

/**
 * Puts a change-set's records back to their values from before it, in ONE transaction, chunk by
 * chunk of record ids with progress after each (a throw from `progress`, e.g. a cancelled job,
 * rolls everything back). Each chunk is one UPDATE … FROM record_changes. The revert is a change-set
 * of its own (records.revert, reverts_change_set_id = the source), so it can be reverted in turn.
 * Records changed since are left (`skip`) or put back (`overwrite`); records the change created are
 * deleted (soft). With `jobId`, the result is the job's checkpoint, committed with the revert: a
 * retried job finds it instead of reverting twice.
 */
export async function revertChangeSet(
  actor: Actor,
  request: RevertRequest,
  progress: RevertProgress = async () => undefined,
  /** `chunkRows`: change-set rows per statement (REVERT_CHUNK_ROWS for a job), progress after each. */
  options: { jobId?: number; chunkRows?: number } = {},
): Promise<RevertResult> {
  const checked = await checkRevert(actor, request);
  const what = whatOf(request, checked);
  return withAuditExplicitTransaction(actor, what, async (transaction, audit) => {
    audit.note({ selection: what.selection });
    // Two reverts of one change-set queue here; the second finds the records back already.
    const source = await findChangeSet(request.changeSetId, { transaction, lock: true });
    const changeSet = await audit.trackRecordChanges({ revertsChangeSetId: source.id });
    const chunkRows = options.chunkRows ?? DEFAULT_REVERT_CHUNK_ROWS;
    const counts = await revertRows(transaction, source, request.conflicts, progress, chunkRows);
    if (counts.reverted === 0) throw nothingToRevert(source, counts);
    const result: RevertResult = {
      changeSetId: changeSet.id,
      reverted: counts.reverted,
      skipped: counts.rows - counts.reverted - counts.already,
      alreadyReverted: counts.already,
      source: { changeSetId: source.id, auditSeq: source.auditSeq },
    };
    if (options.jobId !== undefined)
      await sequelizeOf().query(`UPDATE jobs SET checkpoint = CAST(:checkpoint AS jsonb) WHERE id = :id`, {
        replacements: { id: options.jobId, checkpoint: JSON.stringify({ result }) },
        transaction,
      });
    audit.note({
      recordIds: counts.ids,
      selection: {
        ...what.selection,
        reverted: result.reverted,
        skipped: result.skipped,
        alreadyReverted: result.alreadyReverted,
      },
    });
    return result;
  });
}

interface RevertCounts {
  rows: number;
  reverted: number;
  already: number;
  ids: number[];
}

async function revertRows(
  transaction: Transaction,
  source: ChangeSetFacts,
  conflicts: RevertRequest['conflicts'],
  progress: RevertProgress,
  chunkRows: number,
): Promise<RevertCounts> {
  const sql = revertStateSql(source.fields);
  const assignments = [
    ...source.fields.filter((f) => f !== 'deletedAt').map((f) => assignFromJson('r', 'c.before', f)),
    // Reverting a creation deletes the record (soft), as a person deleting it would.
    `deleted_at = CASE WHEN c.kind = 'c' THEN now() WHEN c.before ? 'deletedAt' THEN ${valueFromJson('c.before', 'deletedAt' satisfies TrackedField)} ELSE r.deleted_at END`,
    'updated_at = now()',
  ];
  // The conditions are in the UPDATE's WHERE, so a record changed by someone else meanwhile is judged
  // on its latest version once its lock is ours.
  const statement = `
    WITH c AS MATERIALIZED (
      SELECT change_set_id, record_id, kind, before, after FROM record_changes
       WHERE change_set_id = :source AND record_id >= :from AND record_id < :to
    ), written AS (
      UPDATE records r SET ${assignments.join(', ')}
        FROM c
       WHERE r.id = c.record_id AND NOT ${sql.already} ${conflicts === 'skip' ? `AND NOT ${sql.conflict}` : ''}
      RETURNING r.id
    )
    SELECT (SELECT count(*) FROM c)::int AS rows,
           (SELECT count(*) FROM written)::int AS reverted,
           (SELECT count(*) FROM c JOIN records r ON r.id = c.record_id WHERE ${sql.already})::int AS already,
           (SELECT array_agg(id) FROM (SELECT id FROM written ORDER BY id LIMIT ${AUDITED_IDS}) first) AS ids`;
  const counts: RevertCounts = { rows: 0, reverted: 0, already: 0, ids: [] };
  const bounds = await chunkBounds(transaction, source.id, chunkRows);
  await progress(0, source.records);
  for (const [from, to] of bounds) {
    const [chunk] = await sequelizeOf()
      .query<{ rows: number; reverted: number; already: number; ids: string[] | null }>(statement, {
        replacements: { source: source.id, from, to },
        type: QueryTypes.SELECT,
        transaction,
      })
      .catch((error: unknown) => {
        throw refusedByDatabase(error);
      });
    if (!chunk) continue;
    counts.rows += chunk.rows;
    counts.reverted += chunk.reverted;
    counts.already += chunk.already;
    for (const id of chunk.ids ?? []) if (counts.ids.length < AUDITED_IDS) counts.ids.push(Number(id));
    await progress(counts.rows, Math.max(source.records, counts.rows));
  }
  return counts;
}

/** Past the largest record id (bigint's largest value), as the upper bound of the last chunk. */
const NO_UPPER_BOUND = '9223372036854775807';

/**
 * [from, to) record-id ranges of `chunkRows` rows each, from one ordered pass over the change-set. Each
 * chunk then reads only its range of the primary key, whatever the planner believes about a
 * change-set just written (a LIMIT with stale statistics re-read and sorted the whole change-set per
 * chunk: quadratic at a million rows).
 */
async function chunkBounds(
  transaction: Transaction,
  changeSetId: number,
  chunkRows: number,
): Promise<Array<[string, string]>> {
  const starts = await sequelizeOf().query<{ record_id: string }>(
    `SELECT record_id FROM (
       SELECT record_id, row_number() OVER (ORDER BY record_id) AS n FROM record_changes WHERE change_set_id = :id
     ) numbered WHERE n % :chunkRows = 1 ORDER BY record_id`,
    { replacements: { id: changeSetId, chunkRows }, type: QueryTypes.SELECT, transaction },
  );
  return starts.map((start, i) => [start.record_id, starts[i + 1]?.record_id ?? NO_UPPER_BOUND]);
}

/** A constraint the revert would break (e.g. a label since removed from the dataset) says so; anything else stays internal. */
function refusedByDatabase(error: unknown): unknown {
  const message = constraintMessage(error);
  if (!message) return error;
  return new InvalidInput(
    'history.revert_refused',
    `A record cannot take its earlier value back: ${message} Nothing was reverted.`,
    undefined,
    { cause: error },
  );
}

function nothingToRevert(source: ChangeSetFacts, counts: RevertCounts): Conflict {
  const conflicting = counts.rows - counts.already;
  if (conflicting > 0)
    return new Conflict(
      'history.revert_all_conflicts',
      `Every record of change-set ${source.id} that is not back already was changed since by someone else (${conflicting}): nothing was reverted. Choose "overwrite" to put them back anyway.`,
    );
  return new Conflict(
    'history.nothing_to_revert',
    `Every record of change-set ${source.id} has its earlier values already (reverted before?): there is nothing to revert.`,
  );
}
