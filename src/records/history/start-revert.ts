import type { Job } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { enqueueJob } from '../../jobs/enqueue-job.js';
import { BULK_EDIT_JOB_THRESHOLD } from '../bulk-edit.js';
import { checkRevert, revertChangeSet, type RevertRequest, type RevertResult } from './revert-change-set.js';

/** Done at once (`result`), or queued as a `revert` job whose page shows the progress (`job`). */
export type StartedRevert = { result: RevertResult; job: null } | { result: null; job: Job };

/**
 * A revert as the console and the API start it: checked (and a refusal audited) at once, then run
 * inline, or as a background job when the change-set has more records than a bulk edit runs inline.
 */
export async function startRevert(actor: Actor, request: RevertRequest): Promise<StartedRevert> {
  const source = await checkRevert(actor, request);
  if (source.records > BULK_EDIT_JOB_THRESHOLD)
    return { result: null, job: await enqueueJob(actor, 'revert', { ...request }) };
  return { result: await revertChangeSet(actor, request), job: null };
}
