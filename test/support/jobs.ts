import { Job } from '../../models/index.js';

/** Waits until job `id` is in one of `statuses` (checking every 200 ms) and returns it. */
export async function waitForJob(id: number, statuses: readonly string[] = ['succeeded', 'failed', 'cancelled'], timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await Job.findByPk(id);
    if (job && statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
