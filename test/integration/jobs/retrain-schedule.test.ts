import assert from 'node:assert/strict';
import { Job, MlModel } from '../../../models/index.js';
import { RETRAIN_QUEUE, queue, startQueue } from '../../../src/jobs/queue.js';
import { onRetrainTick, syncRetrainSchedules } from '../../../src/jobs/retrain-schedules.js';
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

async function waitForJob(where: () => Promise<Job | null>, timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await where();
    if (job) return job;
    if (Date.now() > deadline) throw new Error('no job appeared');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('scheduled retraining (pg-boss schedules on real Postgres)', () => {
  let model: MlModel;
  before(async () => {
    await useTestDatabase();
    await startQueue(testDatabaseUrl());
    model = await createPenguinModel('schedule');
  });
  after(async () => {
    await stopWorker();
    await MlModel.update({ retrainSchedule: null }, { where: {} });
    await syncRetrainSchedules();
  });

  it('refuses a bad schedule with what is wrong and an example', async () => {
    await assert.rejects(
      model.update({ retrainSchedule: 'every monday' }),
      /has 2 fields; use 5 .* e\.g\. "0 3 \* \* 1"/,
    );
    await assert.rejects(model.update({ retrainSchedule: '61 * * * *' }), /not a valid cron expression/);
    await assert.rejects(model.update({ retrainSchedule: '* * * * *' }), /more often than every 5 minutes/);
    await assert.rejects(model.update({ autoPromoteMargin: 2 }), /margin is 0 to 1/);
    await model.reload();
    assert.equal(model.retrainSchedule, null);
  });

  it("mirrors the models' schedules in the queue: added, changed, removed", async () => {
    await model.update({ retrainSchedule: '0 3 * * 1' });
    await syncRetrainSchedules();
    const key = String(model.id);
    assert.equal((await queue().getSchedules(RETRAIN_QUEUE, key))[0]?.cron, '0 3 * * 1');
    await model.update({ retrainSchedule: '30 2 * * *' });
    await syncRetrainSchedules();
    assert.equal((await queue().getSchedules(RETRAIN_QUEUE, key))[0]?.cron, '30 2 * * *');
    await model.update({ retrainSchedule: '' });
    assert.equal(model.retrainSchedule, null, 'an empty field means no schedule');
    await syncRetrainSchedules();
    assert.deepEqual(await queue().getSchedules(RETRAIN_QUEUE, key), []);
  });

  it('turns a tick into an audited train job that asks for auto-promotion, and never piles ticks up', async () => {
    await model.update({ retrainSchedule: '0 4 * * *' });
    const job = (await onRetrainTick({ modelId: model.id }))!;
    assert.equal(job.kind, 'train');
    assert.deepEqual(job.params, { model: model.name, autoPromote: true, scheduled: '0 4 * * *' });
    assert.equal(job.createdById, null, 'runs as the system');
    assert.equal(await onRetrainTick({ modelId: model.id }), null, 'skipped while the previous retrain is queued');
    await job.update({ status: 'cancelled' });
    await model.update({ retrainSchedule: null });
    assert.equal(await onRetrainTick({ modelId: model.id }), null, 'a tick for a removed schedule does nothing');
  });

  it('a worker picks up a tick from the queue and the retrain runs to a new, auto-promoted version', async () => {
    await model.update({ retrainSchedule: '0 5 * * *' });
    await startWorker();
    const since = new Date();
    await queue().send(RETRAIN_QUEUE, { modelId: model.id });
    const job = await waitForJob(() =>
      Job.findOne({
        where: { kind: 'train', params: { model: model.name, scheduled: '0 5 * * *' } },
        order: [['id', 'DESC']],
      }).then((j) => (j && j.createdAt >= since ? j : null)),
    );
    const done = await waitForJob(
      async () => ((await job.reload()).status === 'succeeded' || job.status === 'failed' ? job : null),
      60_000,
    );
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal((done.result as { promotion?: { promoted: boolean } }).promotion?.promoted, true);
  });

  describe('from the console', () => {
    let server: RunningConsole;
    let http: HttpSession;
    before(async () => {
      server = await startConsoleServer();
      const user = await createTestUser('data_scientist');
      http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
    });
    after(() => server.stop());

    it('sets a schedule on the model form, refusing a bad one with the reason on the field', async () => {
      const bad = (await (
        await http.api(`/resources/models/records/${model.id}/edit`, 'POST', { retrainSchedule: '* * * * *' })
      ).json()) as { record: { errors: Record<string, { message: string }> } };
      assert.match(bad.record.errors.retrainSchedule?.message ?? '', /more often than every 5 minutes/);
      const good = await http.api(`/resources/models/records/${model.id}/edit`, 'POST', {
        retrainSchedule: '15 1 * * *',
        autoPromoteMetric: 'macroF1',
        autoPromoteMargin: '0.01',
      });
      assert.equal(good.status, 200);
      await model.reload();
      assert.deepEqual(
        [model.retrainSchedule, model.autoPromoteMetric, model.autoPromoteMargin],
        ['15 1 * * *', 'macroF1', 0.01],
      );
      assert.equal(
        (await queue().getSchedules(RETRAIN_QUEUE, String(model.id)))[0]?.cron,
        '15 1 * * *',
        'saving syncs the queue at once',
      );
    });

    it('retrains from a dataset: lists its models, queues the chosen one, refuses a model of another dataset', async () => {
      const options = (await (await http.api(`/resources/datasets/records/${model.datasetId}/train`)).json()) as {
        models: string[];
      };
      assert.deepEqual(options.models, [model.name]);
      const queued = (await (
        await http.api(`/resources/datasets/records/${model.datasetId}/train`, 'POST', {
          model: model.name,
          maxIterations: '5',
          tag: '',
          autoPromote: 'true',
        })
      ).json()) as { notice: { type: string; message: string }; redirectUrl: string };
      assert.equal(queued.notice.type, 'success', queued.notice.message);
      const job = (await Job.findByPk(Number(/records\/(\d+)\/show/.exec(queued.redirectUrl)?.[1])))!;
      assert.deepEqual(job.params, { model: model.name, maxIterations: 5, autoPromote: true });

      const other = await createPenguinModel('schedule-other');
      const refused = (await (
        await http.api(`/resources/datasets/records/${model.datasetId}/train`, 'POST', { model: other.name })
      ).json()) as { notice: { type: string; message: string } };
      assert.equal(refused.notice.type, 'error');
      assert.match(refused.notice.message, /Choose one of this dataset's models/);
    });
  });
});
