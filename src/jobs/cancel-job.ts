import { Job } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { withAudit } from '../audit/with-audit.js';
import { Conflict, Forbidden, NotFound } from '../errors/domain-error.js';
import { inTransaction, queue } from './queue.js';

/**
 * Cancels a queued job at once; asks a running one to stop at its next step (the worker checks the
 * flag between steps and marks it cancelled). Finished jobs cannot be cancelled.
 */
export async function cancelJob(actor: Actor, jobId: number): Promise<Job> {
  return withAudit(actor, { action: 'jobs.cancel', resource: 'jobs' }, async (transaction, audit) => {
    audit.note({ recordIds: [jobId] }); // so that a denied or failed attempt names the job too
    const job = await Job.findByPk(jobId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!job) throw new NotFound('job.not_found', `Job ${jobId} does not exist.`);
    if (decide(actor, 'jobs', 'cancel', job.get({ plain: true })) !== true) {
      throw new Forbidden('job.cancel_forbidden', 'Only the person who started a job, or an admin, may cancel it.');
    }
    if (!['queued', 'running'].includes(job.status))
      throw new Conflict('job.finished', `Job ${jobId} has already ${job.status}: there is nothing to cancel.`);
    const before = { status: job.status };
    if (job.status === 'queued') {
      await job.update(
        { status: 'cancelled', cancelRequested: true, finishedAt: new Date(), phase: null },
        { transaction },
      );
      // In the same transaction: if the commit fails, the queued job is not cancelled either.
      if (job.queueJobId) await queue().cancel(job.kind, job.queueJobId, { db: inTransaction(transaction) });
    } else {
      await job.update({ cancelRequested: true }, { transaction });
    }
    audit.note({ recordIds: [job.id], before, after: { status: job.status, cancelRequested: true } });
    return job;
  });
}
