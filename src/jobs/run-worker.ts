import os from 'node:os';
import type { Job as QueueJob } from 'pg-boss';
import { Job, User } from '../../models/index.js';
import { JobKind, type JobStatus } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { appendAuditEvent } from '../audit/append-audit-event.js';
import { DomainError } from '../errors/domain-error.js';
import { sequelizeOf } from '../../models/index.js';
import { logger } from '../platform/logger.js';
import { JOB_HANDLERS, type JobHandler } from './handlers.js';
import { QUEUE_POLICY, RETRAIN_QUEUE, inTransaction, queue, whenQueueStops } from './queue.js';
import { onRetrainTick, syncRetrainSchedules, type Tick } from './retrain-schedules.js';

export class JobCancelled extends Error {}
/** Thrown at a job's next step while its worker shuts down: the job goes back to the queue from its checkpoint. */
export class JobHandedOver extends Error {}

const WORKER_ID = `${os.hostname()}:${process.pid}`;
const PROGRESS_INTERVAL_MS = 500;

const working = new Set<string>();
whenQueueStops(() => working.clear());
/** Set while `stopWorker({ handOver: true })` drains this process. */
let handingOver = false;

/**
 * Subscribes this process to every job kind that has a handler (once each) and to the retraining
 * schedule's ticks, after bringing the schedules in line with the models; returns the kinds it works on.
 */
export async function startWorker(
  handlers: Partial<Record<JobKind, JobHandler>> = JOB_HANDLERS,
  options: { schedules?: boolean } = {},
): Promise<JobKind[]> {
  const kinds = JobKind.options.filter((kind) => handlers[kind]);
  if (options.schedules !== false && !working.has(RETRAIN_QUEUE)) {
    working.add(RETRAIN_QUEUE);
    await syncRetrainSchedules();
    await queue().work<Tick>(RETRAIN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 5 }, async ([tick]) => {
      if (tick) await onRetrainTick(tick.data);
    });
  }
  for (const kind of kinds) {
    if (working.has(kind)) continue;
    working.add(kind);
    await queue().work<{ jobId: number }>(kind, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([queued]) => {
      if (queued) await runJob(queued, handlers[kind]!);
    });
  }
  return kinds;
}

/**
 * Stops taking new jobs in this process and waits for the running ones. With `handOver` (a worker's
 * SIGTERM), a running job stops at its next step, right after its last committed checkpoint, and is
 * queued again for another worker instead of holding the shutdown until it ends.
 */
export async function stopWorker(options: { handOver?: boolean } = {}): Promise<void> {
  handingOver = options.handOver ?? false;
  try {
    for (const kind of working) await queue().offWork(kind); // waits for the job in hand
    working.clear();
  } finally {
    handingOver = false;
  }
}

/**
 * Runs one delivery of a job: marks the row running, runs the handler with progress and cancellation,
 * and records the outcome with an audit event at start and at end. A failure is rethrown so pg-boss
 * retries it (the row goes back to queued until the last attempt).
 */
async function runJob(queued: QueueJob<{ jobId: number }>, handler: JobHandler): Promise<void> {
  const job = await Job.findByPk(queued.data.jobId);
  if (!job || job.status === 'cancelled' || job.status === 'succeeded') return; // nothing (left) to do
  const actor = await actorFor(job);
  if (!actor) {
    await transition(
      job,
      { type: 'system' },
      'jobs.finish',
      {
        status: 'failed',
        error: 'The person who queued this job is no longer an active user.',
        finishedAt: new Date(),
      },
      { reason: 'creator inactive', outcome: 'failed' },
    );
    return;
  }
  // Claim the row only if nobody cancelled or finished it since we read it.
  const claimed = await transition(
    job,
    actor,
    'jobs.start',
    {
      status: 'running',
      attempts: job.attempts + 1,
      startedAt: job.startedAt ?? new Date(),
      lockedBy: WORKER_ID,
      heartbeatAt: new Date(),
      error: null,
    },
    { onlyIf: ['queued', 'running'] },
  );
  if (!claimed) return;
  let lastWrite = { phase: '', at: 0 };
  const progress = async (phase: string, done: number, total: number) => {
    // Solver iterations can finish many times a second: write at most twice a second within a phase.
    const now = Date.now();
    if (phase === lastWrite.phase && done < total && now - lastWrite.at < PROGRESS_INTERVAL_MS) return;
    lastWrite = { phase, at: now };
    await job.reload({ attributes: ['id', 'cancelRequested'] });
    if (job.cancelRequested) throw new JobCancelled('cancelled');
    if (handingOver) throw new JobHandedOver('worker stopping');
    await job.update({ phase, progressDone: done, progressTotal: total, heartbeatAt: new Date() });
  };
  try {
    const result = await handler(job.params, { actor, jobId: job.id, checkpoint: job.checkpoint, progress });
    await transition(job, actor, 'jobs.finish', {
      status: 'succeeded',
      result,
      phase: null,
      progressDone: job.progressTotal ?? job.progressDone,
      finishedAt: new Date(),
      lockedBy: null,
    });
  } catch (error) {
    if (error instanceof JobCancelled) {
      await transition(
        job,
        actor,
        'jobs.finish',
        { status: 'cancelled', phase: null, finishedAt: new Date(), lockedBy: null },
        { reason: 'cancelled by request' },
      );
      return;
    }
    if (error instanceof JobHandedOver) {
      await handOver(job, actor);
      return;
    }
    const lastAttempt = queued.retryCount >= QUEUE_POLICY.retryLimit || error instanceof DomainError;
    const message =
      error instanceof DomainError ? error.message : 'Internal error while running the job (see the worker log).';
    logger.error({ err: error, jobId: job.id, attempt: queued.retryCount + 1 }, 'job failed');
    await transition(
      job,
      actor,
      'jobs.finish',
      lastAttempt
        ? { status: 'failed', error: message, phase: null, finishedAt: new Date(), lockedBy: null }
        : { status: 'queued', error: `${message} (retrying)`, lockedBy: null },
      { reason: message, outcome: 'failed' },
    );
    // A domain error (bad input) will not succeed on retry: settle it; anything else, let pg-boss retry.
    if (!lastAttempt) throw error;
  }
}

/**
 * Back to the queue, as a new delivery, with the row, its checkpoint and the audit event in one
 * transaction: this delivery then ends normally, so a shutdown does not use up one of the job's retries.
 */
async function handOver(job: Job, actor: Actor): Promise<void> {
  await sequelizeOf().transaction(async (transaction) => {
    const queueJobId = await queue().send(job.kind, { jobId: job.id }, { db: inTransaction(transaction) });
    await job.update({ status: 'queued', lockedBy: null, queueJobId }, { transaction });
    await appendAuditEvent(
      actor,
      {
        action: 'jobs.handover',
        resource: 'jobs',
        recordIds: [job.id],
        after: { status: 'queued', kind: job.kind, attempt: job.attempts, progressDone: job.progressDone },
        outcome: 'success',
        reason: `worker ${WORKER_ID} stopping`,
      },
      transaction,
    );
  });
  logger.info(
    { jobId: job.id, kind: job.kind },
    'job handed over: the worker is stopping; it resumes from its checkpoint elsewhere',
  );
}

/** Updates the row and appends its audit event in one transaction; false when `onlyIf` did not match. */
async function transition(
  job: Job,
  actor: Actor,
  action: string,
  changes: Partial<Job['_attributes']>,
  options: { reason?: string; outcome?: 'success' | 'failed'; onlyIf?: JobStatus[] } = {},
): Promise<boolean> {
  return sequelizeOf().transaction(async (transaction) => {
    if (options.onlyIf) {
      const current = await Job.findByPk(job.id, { transaction, lock: transaction.LOCK.UPDATE });
      if (!current || !options.onlyIf.includes(current.status)) return false;
    }
    await job.update(changes, { transaction });
    await appendAuditEvent(
      actor,
      {
        action,
        resource: 'jobs',
        recordIds: [job.id],
        // Which delivery this is (1 for the first run, 2 after a retry, a crash or a hand-over): the
        // log must tell "started twice" from "started once, retried once".
        after: {
          status: job.status,
          kind: job.kind,
          attempt: job.attempts,
          ...(job.status === 'succeeded' ? { result: job.result } : {}),
        },
        outcome: options.outcome ?? (job.status === 'failed' ? 'failed' : 'success'),
        reason: options.reason ?? null,
      },
      transaction,
    );
    return true;
  });
}

/**
 * Jobs act for the person who queued them, with their role as it is now (checked again by the work).
 * A job queued by the CLI or the system (no creator) runs as the system; one whose creator was
 * deactivated or deleted meanwhile does not run at all.
 */
async function actorFor(job: Job): Promise<Actor | null> {
  if (!job.createdById) return { type: 'system' };
  const user = await User.findByPk(job.createdById);
  return user && user.active ? { type: 'user', id: user.id, email: user.email, role: user.role } : null;
}
