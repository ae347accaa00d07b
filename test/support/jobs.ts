import { Job } from '../../models/index.js';
import { systemActor } from '../../src/access/actor.js';
import { cancelJob } from '../../src/jobs/cancel-job.js';
import { Conflict } from '../../src/errors/domain-error.js';

const FINISHED = ['succeeded', 'failed', 'cancelled'] as const;

/** Waits until job `id` is in one of `statuses` (finished, by default; checking every 100 ms) and returns it. */
export async function waitForJob(id: number, statuses: readonly string[] = FINISHED, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await Job.findByPk(id);
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until running job `id` has done at least `done` units of work (and has not finished: the
 * test wants it part-way, so a job that ends first fails with a hint to make the work larger).
 */
export async function waitForProgress(id: number, done: number, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await Job.findByPk(id);
    if (job && (FINISHED as readonly string[]).includes(job.status))
      throw new Error(`job ${id} ${job.status} before it reached ${done}: give it more work`);
    if (job && Number(job.progressDone) >= done) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} never got going (status ${job?.status}, ${job?.progressDone} done)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Cancels every job still queued, as the system (audited, like any cancel). A suite that queues jobs
 * with no worker running (to show them, cancel them, refuse them) calls this in its `after`: the run
 * shares one queue, and the next suite that starts a worker would otherwise work off that backlog,
 * one job at a time per kind, before its own jobs (40 leftover jobs outlasted waitForJob's minute).
 * Answers how many it cancelled.
 */
export async function cancelQueuedJobs(): Promise<number> {
  const queued = await Job.findAll({ where: { status: 'queued' }, attributes: ['id'], order: [['id', 'ASC']] });
  let cancelled = 0;
  for (const { id } of queued) {
    try {
      await cancelJob(systemActor, id);
      cancelled += 1;
    } catch (error) {
      if (!(error instanceof Conflict)) throw error; // a worker took or finished it meanwhile
    }
  }
  return cancelled;
}
