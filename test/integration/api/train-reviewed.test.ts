import assert from 'node:assert/strict';
import { AuditEvent, DataRecord, Job, ModelVersion } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { JOB_HANDLERS } from '../../../src/jobs/handlers.js';
import { trainModel } from '../../../src/ml/train-model.js';
import type { ReviewedReport } from '../../../src/ml/reviewed/reviewed-report.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { insertReviewQueue } from '../../support/reviewed-labels.js';

describe('retrain with reviewed records from the API and the console form: the body, the job, refusals and audit (real HTTP)', () => {
  let server: RunningConsole;
  let modelName: string;
  let modelId: number;
  let scientist: Actor & { type: 'user'; id: number; email: string };
  let scientistKey: string;
  let managerKey: string;
  let managerId: number;

  const call = async (path: string, key: string, body: unknown) =>
    fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async function () {
    this.timeout(120_000);
    await useTestDatabase();
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    const manager = await createTestUser('content_manager');
    managerId = manager.id;
    const model = await createPenguinModel('api-reviewed');
    modelName = model.name;
    modelId = model.id;
    const v1 = (await trainModel(scientist, { model: modelName, maxIterations: 20 })).version;
    const train = await DataRecord.findAll({
      where: { datasetId: model.datasetId, split: 'train' },
      order: [['id', 'ASC']],
    });
    await insertReviewQueue(
      model.datasetId,
      v1.id,
      train
        .filter((r, i) => i % 2 === 1 && r.label !== null)
        .map((r) => ({ recordId: r.id, label: r.label!, labelledAt: new Date(v1.createdAt.getTime() + 1) })),
    );
    scientistKey = (
      await createApiKey(systemActor, { ownerEmail: scientist.email, name: 'reviewed', scopes: ['jobs:write'] })
    ).key;
    managerKey = (
      await createApiKey(systemActor, { ownerEmail: manager.email, name: 'reviewed', scopes: ['jobs:write'] })
    ).key;
    server = await startConsoleServer();
  });
  after(async () => server?.stop());

  it('POST /models/{name}/train queues a retraining with reviewedSince (as ISO) or reviewedSinceVersion, audited', async () => {
    const dated = await call(`/api/v1/models/${modelName}/train`, scientistKey, { reviewedSince: '2026-12-01' });
    const body = (await dated.json()) as { job: { id: number } };
    assert.equal(dated.status, 202, JSON.stringify(body));
    assert.deepEqual((await Job.findByPk(body.job.id))!.params, {
      model: modelName,
      reviewedSince: '2026-12-01T00:00:00.000Z',
    });
    const enqueued = await AuditEvent.findOne({
      where: { action: 'jobs.enqueue', recordIds: [String(body.job.id)], outcome: 'success' },
    });
    assert.deepEqual((enqueued?.after as { params: unknown }).params, {
      model: modelName,
      reviewedSince: '2026-12-01T00:00:00.000Z',
    });

    const sinceVersion = await call(`/api/v1/models/${modelName}/train`, scientistKey, { reviewedSinceVersion: true });
    assert.equal(sinceVersion.status, 202);
    const job = (await Job.findByPk(((await sinceVersion.json()) as { job: { id: number } }).job.id))!;
    assert.equal(job.params.reviewedSinceVersion, true);
  });

  it('answers 400 with what to fix for both starts, a bad date or a flag that is not a boolean', async () => {
    const both = await call(`/api/v1/models/${modelName}/train`, scientistKey, {
      reviewedSince: '2026-12-01',
      reviewedSinceVersion: true,
    });
    assert.equal(both.status, 400);
    assert.match(JSON.stringify(await both.json()), /give either a date or \\"since the latest version\\", not both/);
    const badDate = await call(`/api/v1/models/${modelName}/train`, scientistKey, { reviewedSince: 'soon' });
    assert.equal(badDate.status, 400);
    assert.match(JSON.stringify(await badDate.json()), /reviewedSince: give a date/);
    const notBoolean = await call(`/api/v1/models/${modelName}/train`, scientistKey, { reviewedSinceVersion: 'yes' });
    assert.equal(notBoolean.status, 400);
  });

  it('refuses a content manager with 403, audited as denied', async () => {
    const refused = await call(`/api/v1/models/${modelName}/train`, managerKey, { reviewedSinceVersion: true });
    assert.equal(refused.status, 403);
    const denied = await AuditEvent.findOne({
      where: { action: 'models.train', outcome: 'denied', actorId: String(managerId) },
    });
    assert.ok(denied, 'the refusal is in the audit log');
  });

  it('the console form queues "since the latest version"; the job trains and stores metrics.reviewed', async function () {
    this.timeout(60_000);
    const http = new HttpSession(server.baseUrl);
    await http.login(scientist.email, TEST_PASSWORD);
    const response = await http.api(`/resources/models/records/${modelId}/train`, 'POST', {
      reviewedSince: '',
      reviewedSinceVersion: 'true',
      maxIterations: '30',
    });
    const body = (await response.json()) as { notice: { type: string; message: string }; redirectUrl: string };
    assert.equal(body.notice.type, 'success', body.notice.message);
    const job = (await Job.findByPk(Number(/records\/(\d+)\/show/.exec(body.redirectUrl)?.[1])))!;
    assert.deepEqual(job.params, { model: modelName, reviewedSinceVersion: true, maxIterations: 30 });
    // What a worker runs with those params; its result (the job page) says what it learned from.
    const result = await JOB_HANDLERS.train!(job.params, {
      actor: scientist,
      jobId: job.id,
      checkpoint: null,
      progress: async () => undefined,
    });
    assert.match(String(result.reviewed), /^Learned from \d+ reviewed record\(s\) .* since v1 was created/);
    const version = (await ModelVersion.findByPk(Number(result.modelVersionId)))!;
    const reviewed = (version.metrics as { reviewed: ReviewedReport }).reviewed;
    assert.equal(reviewed.sinceVersion, 1);
    assert.ok(reviewed.learnedFrom > 0 && reviewed.heldOut > 0, JSON.stringify(reviewed));

    const both = (await (
      await http.api(`/resources/models/records/${modelId}/train`, 'POST', {
        reviewedSince: '2026-12-01',
        reviewedSinceVersion: 'true',
      })
    ).json()) as { notice: { type: string; message: string } };
    assert.equal(both.notice.type, 'error');
    assert.match(both.notice.message, /not both/);
  });
});
