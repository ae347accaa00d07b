import { Job } from '../../models/index.js';
import type { JobKind } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { actorUserId } from '../access/predicates/actor-user-id.js';
import { withAudit } from '../audit/with-audit.js';
import { inTransaction, queue } from './queue.js';

/** Queues background work: the `jobs` row, the pg-boss job and the audit event commit together. */
export async function enqueueJob(actor: Actor, kind: JobKind, params: Record<string, unknown>): Promise<Job> {
  return withAudit(actor, { action: 'jobs.enqueue', resource: 'jobs' }, async (transaction, audit) => {
    const job = await Job.create(
      {
        kind,
        params,
        progressTotal: null,
        checkpoint: null,
        result: null,
        error: null,
        lockedBy: null,
        heartbeatAt: null,
        startedAt: null,
        finishedAt: null,
        createdById: actorUserId(actor) ?? null,
      },
      { transaction },
    );
    const queueJobId = await queue().send(kind, { jobId: job.id }, { db: inTransaction(transaction) });
    await job.update({ queueJobId }, { transaction });
    audit.note({ recordIds: [job.id], after: { kind, params } });
    return job;
  });
}
