import type { JobKind } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { describeReviewed } from '../ml/reviewed/reviewed-report.js';
import { trainModel } from '../ml/train-model.js';
import { notConvergedWarning, unconvergedFit } from '../ml/training-convergence.js';
import { loadConfig } from '../platform/config.js';
import { applyBulkEdit, parseBulkEdit } from '../records/bulk-edit.js';
import { RevertRequest, revertChangeSet, type RevertResult } from '../records/history/revert-change-set.js';
import { runImport } from '../records/import/run-import.js';
import { buildReviewQueue } from '../review/build-queue.js';
import { scoreRecords } from '../scoring/score-records.js';
import { scoringSettings } from '../scoring/scoring-settings.js';
import { InvalidInput } from '../errors/domain-error.js';

export interface JobContext {
  actor: Actor;
  jobId: number;
  /** What an earlier attempt committed (null on the first), for jobs that resume part-way. */
  checkpoint: Record<string, unknown> | null;
  /** Records progress; throws JobCancelled when someone cancelled the job meanwhile. */
  progress: (phase: string, done: number, total: number) => Promise<void>;
}

export type JobHandler = (params: Record<string, unknown>, context: JobContext) => Promise<Record<string, unknown>>;

/** What each kind of job does. Params were validated when the job was queued and are parsed again here. */
export const JOB_HANDLERS: Partial<Record<JobKind, JobHandler>> = {
  // One transaction: a retry after a crash starts over from nothing applied; a cancel rolls back. So
  // rows count as done only once it commits; until then the phase says how far the writing is.
  bulk_edit: async (params, { actor, progress }) => {
    const { selection, changes } = parseBulkEdit(actor, params as { selection: unknown; changes: unknown });
    const result = await applyBulkEdit(actor, selection, changes, (written, total) =>
      progress(
        `updating records: ${written.toLocaleString('en')} of ${total.toLocaleString('en')} written, all committed together at the end`,
        0,
        total,
      ),
    );
    await progress('records updated', result.changed, result.changed);
    return { ...result };
  },
  // One transaction, like a bulk edit; its result is the job's checkpoint, committed with the revert,
  // so a delivery after a crash between that commit and the job's end answers it instead of reverting again.
  revert: async (params, { actor, jobId, checkpoint, progress }) => {
    const committed = checkpoint?.result as RevertResult | undefined;
    if (committed) return { ...committed };
    const request = RevertRequest.safeParse(params);
    if (!request.success)
      throw new InvalidInput(
        'history.revert_params',
        `This revert job's parameters are not valid: queue the revert again.`,
      );
    const result = await revertChangeSet(
      actor,
      request.data,
      (written, total) =>
        progress(
          `reverting records: ${written.toLocaleString('en')} of ${total.toLocaleString('en')} written, all committed together at the end`,
          0,
          total,
        ),
      { jobId, chunkRows: loadConfig().REVERT_CHUNK_ROWS },
    );
    const done = result.reverted + result.skipped + result.alreadyReverted;
    await progress('records reverted', done, done);
    return { ...result };
  },
  // A dry run rolls back; apply is one transaction: a retry after a crash starts over from nothing applied.
  import: async (params, { actor, progress }) => ({ ...(await runImport(actor, params, progress)) }),
  // Chunks commit with a checkpoint: a retry or a restarted worker goes on after the last committed record.
  score: async (params, context) => ({
    ...(await scoreRecords(context.actor, params, context, scoringSettings(loadConfig()))),
  }),
  // One audited transaction writes the items at the end: a retry starts the choice over.
  review: async (params, { actor, jobId, progress }) => ({
    ...(await buildReviewQueue(actor, params, { jobId, progress })),
  }),
  train: async (params, { actor, progress }) => {
    const result = await trainModel(actor, params as never, { phase: progress });
    return {
      modelVersionId: result.version.id,
      version: result.version.version,
      accuracy: result.accuracy,
      trainingRows: result.trainingRows,
      testRows: result.testRows,
      timingsMs: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)])),
      ...notConverged(result.version.metrics),
      ...(result.reviewed ? { reviewed: describeReviewed(result.reviewed) } : {}),
      ...(result.promotion
        ? { promotion: { promoted: result.promotion.promoted, reason: result.promotion.reason } }
        : {}),
    };
  },
};

/** A train job's result says so when the fit ended at its iteration cap (shown on the job page). */
function notConverged(metrics: unknown): { converged: false; warning: string } | Record<string, never> {
  const fit = unconvergedFit(metrics);
  return fit ? { converged: false, warning: notConvergedWarning(fit) } : {};
}
