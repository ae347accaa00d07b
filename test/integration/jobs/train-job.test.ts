import assert from 'node:assert/strict';
import { AuditEvent, Job, ModelVersion } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { Conflict, Forbidden } from '../../../src/errors/domain-error.js';
import { cancelJob } from '../../../src/jobs/cancel-job.js';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

async function waitFor(job: Job, statuses: string[], timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await job.reload();
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('background training jobs (pg-boss on real Postgres)', () => {
  let scientist: Actor;
  let otherScientist: Actor;
  let modelName: string;
  let modelId: number;

  before(async () => {
    await useTestDatabase();
    await startQueue(testDatabaseUrl());
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    otherScientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    const model = await createPenguinModel('jobs');
    modelName = model.name;
    modelId = model.id;
  });
  after(() => stopWorker());

  it('cancels a queued job at once, and no worker runs it later; only its creator or an admin may', async () => {
    const job = await enqueueJob(scientist, 'train', { model: modelName });
    assert.equal(job.status, 'queued');
    assert.ok(job.queueJobId);
    await assert.rejects(cancelJob(otherScientist, job.id), Forbidden);
    await cancelJob(scientist, job.id);
    assert.equal((await job.reload()).status, 'cancelled');
    await assert.rejects(cancelJob(scientist, job.id), Conflict);
    assert.ok(
      await AuditEvent.findOne({ where: { action: 'jobs.cancel', recordIds: [String(job.id)], outcome: 'success' } }),
    );
    assert.ok(
      await AuditEvent.findOne({ where: { action: 'jobs.cancel', recordIds: [String(job.id)], outcome: 'denied' } }),
    );
  });

  it('runs a queued training in a worker: progress, a new version, audit at start and finish', async () => {
    await startWorker();
    const job = await enqueueJob(scientist, 'train', { model: modelName, maxIterations: 20 });
    await waitFor(job, ['succeeded', 'failed']);
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(job.attempts, 1);
    assert.equal(job.progressDone, job.progressTotal, 'progress ends full');
    const result = job.result as { modelVersionId: number; accuracy: number };
    const version = await ModelVersion.findByPk(result.modelVersionId);
    assert.equal(version?.modelId, modelId);
    assert.equal(
      version?.createdById,
      (scientist as { id: number }).id,
      'the version is credited to who queued the job',
    );
    assert.ok(result.accuracy >= 0.95);
    const actions = (
      await AuditEvent.findAll({ where: { resource: 'jobs', recordIds: [String(job.id)] }, order: [['seq', 'ASC']] })
    ).map((e) => e.action);
    assert.deepEqual(actions, ['jobs.enqueue', 'jobs.start', 'jobs.finish']);
    const cancelled = await Job.findOne({ where: { status: 'cancelled', kind: 'train' } });
    assert.equal(cancelled?.attempts, 0, 'the cancelled job was never started');
  });

  it('fails a job whose input can never work with the reason, without retrying it', async () => {
    const job = await enqueueJob(scientist, 'train', { model: 'no-such-model' });
    await waitFor(job, ['failed', 'succeeded']);
    assert.equal(job.status, 'failed');
    assert.match(job.error ?? '', /No model named "no-such-model"/);
    assert.equal(job.attempts, 1);
  });

  describe('from the console', () => {
    let server: RunningConsole;
    before(async () => {
      server = await startConsoleServer();
    });
    after(() => server.stop());

    it('queues training from the form and sends the data scientist to the job page', async () => {
      const user = await createTestUser('data_scientist');
      const http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
      const response = await http.api(`/resources/models/records/${modelId}/train`, 'POST', {
        maxIterations: '15',
        l2: '',
      });
      const body = (await response.json()) as { notice: { type: string; message: string }; redirectUrl: string };
      assert.equal(body.notice.type, 'success', body.notice.message);
      const jobId = Number(/records\/(\d+)\/show/.exec(body.redirectUrl)?.[1]);
      const job = (await Job.findByPk(jobId))!;
      assert.deepEqual(job.params, { model: modelName, maxIterations: 15 });
      assert.equal(job.createdById, user.id);
      await waitFor(job, ['succeeded', 'failed']);
      assert.equal(job.status, 'succeeded');

      const bad = (await (
        await http.api(`/resources/models/records/${modelId}/train`, 'POST', { maxIterations: '0' })
      ).json()) as { notice: { type: string; message: string } };
      assert.equal(bad.notice.type, 'error');
      assert.match(bad.notice.message, /maxIterations/);
    });

    it("refuses training to a content manager (403) and hides others' jobs from them", async () => {
      const user = await createTestUser('content_manager');
      const http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
      assert.equal((await http.api(`/resources/models/records/${modelId}/train`, 'POST', {})).status, 403);
      const list = (await (await http.api('/resources/jobs/actions/list')).json()) as { records: unknown[] };
      assert.deepEqual(list.records, []);
      const someJob = (await Job.findOne())!;
      assert.equal((await http.api(`/resources/jobs/records/${someJob.id}/show`)).status, 403);
    });
  });
});
