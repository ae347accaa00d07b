import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Job, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { auditActivity, predictionsPerDay, recentImports } from '../../../src/charts/activity-charts.js';
import { chartCache } from '../../../src/charts/chart-cache.js';
import { flushRefusalCounts, recordRefusal } from '../../../src/audit/record-refusal.js';
import { datasetCharts } from '../../../src/charts/dataset-charts.js';
import { modelCharts } from '../../../src/charts/model-charts.js';
import { systemHealth } from '../../../src/charts/system-health.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { storeImportFile, MEGABYTE } from '../../../src/records/import/import-file.js';
import { queueImport } from '../../../src/records/import/queue-import.js';
import { deleteRecord, updateRecord } from '../../../src/records/save-record.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { queueScoring } from '../../../src/scoring/queue-scoring.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { waitForJob } from '../../support/jobs.js';
import type { Role } from '../../../models/enums.js';
import { changeRecords } from '../../support/change-records.js';

const count = async (sql: string, replacements: Record<string, unknown>) =>
  Number((await sequelizeOf().query<{ n: string }>(sql, { replacements, type: QueryTypes.SELECT }))[0]!.n);

/** Polls until `check` passes: notifications arrive a few milliseconds after the commit. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('charts: SQL aggregates, their cache and the dashboard per role (real Postgres)', () => {
  let server: RunningConsole;
  let scientist: Actor;
  let manager: Actor;
  let datasetId: number;
  let modelId: number;
  let modelName: string;
  let scored: number;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    await startWorker();
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    const model = await createPenguinModel('charts');
    datasetId = model.datasetId;
    modelId = model.id;
    modelName = model.name;
    const first = (await trainModel(scientist, { model: modelName, maxIterations: 5 })).version;
    await trainModel(scientist, { model: modelName, maxIterations: 30 });
    await promoteAlias(scientist, { versionId: first.id, alias: 'production' });
    const { job } = await queueScoring(scientist, { model: modelName });
    const done = await waitForJob(job.id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    scored = Number((done.result as { scored: number }).scored);
    chartCache.configure(30);
  });
  after(async () => {
    chartCache.configure(30);
    await stopWorker();
    await server?.stop();
  });

  it('counts live records by label and split exactly as SQL over the table does, leaving soft-deleted ones out', async () => {
    assert.equal(
      await count('SELECT count(*) AS n FROM records WHERE dataset_id = :datasetId AND updated_at <> created_at', {
        datasetId,
      }),
      0,
      'a loaded record is not an edited one',
    );
    const victim = (await DataRecord.findOne({ where: { datasetId, label: 'Gentoo', split: 'train' } }))!;
    await deleteRecord(manager, victim.id);
    chartCache.clear();
    const charts = (await datasetCharts(sequelizeOf(), datasetId))!;
    for (const label of ['Adelie', 'Chinstrap', 'Gentoo']) {
      for (const split of ['train', 'test', 'holdout']) {
        const expected = await count(
          'SELECT count(*) AS n FROM records WHERE dataset_id = :datasetId AND label = :label AND split = :split AND deleted_at IS NULL',
          { datasetId, label, split },
        );
        assert.equal(
          charts.bySplit.value.find((c) => c.label === label && c.split === split)?.records ?? 0,
          expected,
          `${label}/${split}`,
        );
      }
    }
    const live = await DataRecord.count({ where: { datasetId } });
    assert.equal(
      charts.bySplit.value.reduce((a, c) => a + c.records, 0),
      live,
    );
    assert.deepEqual(charts.labels, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.equal(charts.edits.value.length, 14);
    const editedToday = await count(
      "SELECT count(*) AS n FROM records WHERE dataset_id = :datasetId AND updated_at <> created_at AND updated_at >= date_trunc('day', now())",
      { datasetId },
    );
    assert.equal(charts.edits.value.at(-1)!.edited, editedToday, 'records changed after their creation, today');
    assert.ok(charts.recent.value.length > 0 && charts.recent.value.every((r) => r.datasetId === datasetId));
    assert.ok(!charts.recent.value.some((r) => r.id === victim.id), 'a deleted record is not among the recent ones');
    assert.equal(await datasetCharts(sequelizeOf(), 2_000_000_000), null);
  });

  it('serves a chart from memory until a write to its records, from any connection, drops it', async () => {
    chartCache.clear();
    const first = (await datasetCharts(sequelizeOf(), datasetId))!;
    assert.equal(first.bySplit.cached, false);
    const again = (await datasetCharts(sequelizeOf(), datasetId))!;
    assert.equal(again.bySplit.cached, true, 'the second view is served from memory');
    assert.equal(again.bySplit.computedAt, first.bySplit.computedAt);

    const record = (await DataRecord.findOne({ where: { datasetId, label: 'Adelie', split: 'test' } }))!;
    await updateRecord(manager, record.id, { label: 'Chinstrap' });
    await eventually(
      async () => (await datasetCharts(sequelizeOf(), datasetId))!.bySplit.cached === false,
      'the cached counts to be dropped',
    );
    const after = (await datasetCharts(sequelizeOf(), datasetId))!;
    const chinstrapTest = (c: typeof after) =>
      c.bySplit.value.find((x) => x.label === 'Chinstrap' && x.split === 'test')?.records ?? 0;
    assert.equal(chinstrapTest(after), chinstrapTest(first) + 1, 'the edit shows in the new counts');
    assert.equal(
      after.edits.value.at(-1)!.edited,
      first.edits.value.at(-1)!.edited + 1,
      'an edit counts as an edit today',
    );

    // A write by hand in SQL (no application code but its change-set) drops it too: the trigger announces it.
    await changeRecords(() =>
      sequelizeOf().query(`UPDATE records SET tags = '{by-hand}' WHERE id = :id`, { replacements: { id: record.id } }),
    );
    await eventually(
      async () => (await datasetCharts(sequelizeOf(), datasetId))!.bySplit.cached === false,
      'a hand-written UPDATE to drop the cache',
    );

    chartCache.configure(0);
    await datasetCharts(sequelizeOf(), datasetId);
    assert.equal(
      (await datasetCharts(sequelizeOf(), datasetId))!.bySplit.cached,
      false,
      'CHARTS_CACHE_SECONDS=0 turns the cache off',
    );
    chartCache.configure(30);
  });

  it("draws the model: metrics per version, the production version's evaluation, and the score distribution of its predictions", async () => {
    chartCache.clear();
    const charts = (await modelCharts(sequelizeOf(), modelId))!;
    const versions = charts.versions.value;
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2],
    );
    assert.deepEqual(versions[0]!.aliases, ['production']);
    const stored = await sequelizeOf().query<{ version: number; accuracy: number }>(
      `SELECT version, (metrics->>'accuracy')::float8 AS accuracy FROM model_versions WHERE model_id = :modelId ORDER BY version`,
      {
        replacements: { modelId },
        type: QueryTypes.SELECT,
      },
    );
    assert.deepEqual(
      versions.map((v) => v.accuracy),
      stored.map((s) => s.accuracy),
    );
    assert.equal(charts.production?.version, 1);
    assert.ok(
      Array.isArray(charts.production?.metrics.confusion),
      "the production version's confusion matrix comes with it",
    );

    const scores = charts.scores!.value;
    assert.equal(scores.version, 1);
    assert.equal(scores.bins.length, 20);
    const versionId = charts.production.versionId;
    const live = await count(
      'SELECT count(*) AS n FROM record_predictions p JOIN records r ON r.id = p.record_id WHERE p.model_version_id = :versionId AND r.deleted_at IS NULL',
      { versionId },
    );
    assert.ok(live < scored, 'one scored record was soft-deleted in the first test');
    assert.equal(scores.total, live, 'predictions of soft-deleted records are left out');
    assert.equal(
      scores.byLabel.reduce((a, p) => a + p.records, 0),
      live,
    );
    assert.deepEqual(
      scores.bins,
      scores.byLabel.reduce((sum, l) => sum.map((v, i) => v + l.bins[i]!), new Array<number>(20).fill(0)),
      'the per-label bins add up to the total',
    );
    const highBin = await count(
      'SELECT count(*) AS n FROM record_predictions p JOIN records r ON r.id = p.record_id WHERE p.model_version_id = :versionId AND r.deleted_at IS NULL AND p.score >= 0.95',
      { versionId },
    );
    assert.equal(scores.bins[19], highBin, 'the last bin holds scores from 0.95 to 1');

    const other = (await modelCharts(sequelizeOf(), modelId, 2))!;
    assert.equal(other.scores!.value.version, 2);
    assert.equal(other.scores!.value.total, 0, 'version 2 scored nothing');
    assert.equal(await modelCharts(sequelizeOf(), 2_000_000_000), null);
  });

  it('counts predictions per day from scoring jobs and the API, per model', async () => {
    chartCache.clear();
    const today = (await predictionsPerDay(sequelizeOf(), modelId)).value.at(-1)!;
    assert.equal(today.batch, scored);
    const all = (await predictionsPerDay(sequelizeOf())).value;
    assert.equal(all.length, 30);
    assert.ok(all.at(-1)!.batch >= scored);
  });

  it('sums the audit log per day by action and actor, with refusals, as SQL over audit_events does', async () => {
    chartCache.clear();
    const activity = (await auditActivity(sequelizeOf())).value;
    const since = new Date(`${activity.days[0]}T00:00:00Z`);
    const total = await count('SELECT count(*) AS n FROM audit_events WHERE at >= :since', { since });
    assert.equal(activity.total, total);
    assert.equal(
      activity.byAction.reduce((a, s) => a + s.counts.reduce((x, y) => x + y, 0), 0),
      total,
    );
    assert.equal(
      activity.byActor.reduce((a, s) => a + s.counts.reduce((x, y) => x + y, 0), 0),
      total,
    );
    assert.ok(activity.byAction.length <= 8);
    // 50 refusals of one kind in a minute: 10 events of their own and one summary standing for 40
    // (selection.repeatedRefusals), which the chart counts as 40 refusals.
    const user = await createTestUser('auditor');
    const refuser: Actor = { type: 'user', id: user.id, email: user.email, role: user.role };
    for (let i = 0; i < 50; i += 1)
      await recordRefusal(
        refuser,
        { action: 'records.edit', resource: 'records' },
        { code: 'access.denied', message: 'Your role may not edit records.' },
      );
    await flushRefusalCounts({ includeCurrentMinute: true });
    chartCache.clear();
    const withSummary = (await auditActivity(sequelizeOf())).value;
    const refusals = await count(
      `SELECT COALESCE(sum(CASE WHEN jsonb_typeof(selection->'repeatedRefusals') = 'number' THEN (selection->>'repeatedRefusals')::int ELSE 1 END), 0) AS n
         FROM audit_events WHERE outcome = 'denied' AND at >= :since`,
      { since },
    );
    assert.equal(
      withSummary.refused.reduce((a, b) => a + b, 0),
      refusals,
    );
    assert.equal(
      withSummary.refused.reduce((a, b) => a + b, 0) - activity.refused.reduce((a, b) => a + b, 0),
      50,
      'the 50 refusals, 40 of them in one summary',
    );
    assert.equal(
      await AuditEvent.count({ where: { actorId: String(user.id), outcome: 'denied' } }),
      11,
      'as 11 events',
    );
    assert.equal(
      withSummary.total,
      await count('SELECT count(*) AS n FROM audit_events WHERE at >= :since', { since }),
      'the chart counts events, not refusals',
    );
  });

  it("lists a content manager's own imports with their counts", async () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-charts-'));
    try {
      const file = path.join(temp, 'birds.csv');
      fs.writeFileSync(file, 'species,beak_length_mm\nAdelie,39.1\nGentoo,nope\n');
      const stored = await storeImportFile(
        manager,
        { datasetId, fileName: 'birds.csv', path: file, sizeBytes: fs.statSync(file).size },
        MEGABYTE,
      );
      const job = await queueImport(manager, {
        fileId: stored.fileId,
        mode: 'dry-run',
        mapping: { columns: { species: 'label', beak_length_mm: 'feature:beak_length_mm' } },
      });
      await waitForJob(job.id);
      chartCache.clear();
      const mine = (await recentImports(sequelizeOf(), (manager as { id: number }).id)).value;
      assert.equal(mine[0]?.jobId, job.id);
      assert.equal(mine[0]?.fileName, 'birds.csv');
      assert.equal(mine[0]?.mode, 'dry-run');
      assert.equal(mine[0]?.rows, 2);
      assert.equal(mine[0]?.invalidRows, 1);
      const others = (await recentImports(sequelizeOf(), (scientist as { id: number }).id)).value;
      assert.equal(others.length, 0, "another user's list does not show them");
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });

  it('reports a running job whose worker stopped heart-beating in system health, with what to do', async () => {
    const stale = await Job.create({
      kind: 'score',
      params: {},
      status: 'running',
      progressTotal: null,
      checkpoint: null,
      result: null,
      error: null,
      lockedBy: 'gone',
      heartbeatAt: new Date(Date.now() - 3_600_000),
      startedAt: new Date(),
      finishedAt: null,
      createdById: null,
    });
    try {
      const health = await systemHealth(sequelizeOf(), 30);
      const check = (id: string) => health.checks.find((c) => c.id === id)!;
      assert.equal(check('database').level, 'ok');
      assert.equal(check('migrations').value, 'current');
      assert.equal(check('workers').level, 'warning');
      assert.match(check('workers').detail, /stopped reporting/);
      assert.ok(health.connections.some((c) => c.application.startsWith('modeldesk')));
    } finally {
      await stale.update({ status: 'failed', finishedAt: new Date(), error: 'test: stalled on purpose' });
    }
  });

  describe('over HTTP, per role', () => {
    const signedIn = async (role: Role) => {
      const user = await createTestUser(role);
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      return http;
    };
    const dashboard = async (http: HttpSession, query = '') => {
      const response = await http.api(`/dashboard${query}`);
      assert.equal(response.status, 200);
      return (await response.json()) as {
        sections: string[];
        dataset: { datasetId: number } | null;
        model: { modelId: number } | null;
        audit: unknown;
        health: unknown;
        imports: unknown;
        predictions: unknown;
      };
    };

    it('gives each role its sections, in its order, and nothing else', async () => {
      const expected: Record<Role, string[]> = {
        admin: ['health', 'dataset', 'model', 'predictions', 'operations', 'imports', 'audit'],
        data_scientist: ['model', 'dataset', 'predictions', 'operations'],
        content_manager: ['dataset', 'imports'],
        auditor: ['audit', 'model', 'dataset', 'predictions', 'operations'],
      };
      for (const [role, sections] of Object.entries(expected) as Array<[Role, string[]]>) {
        const body = await dashboard(await signedIn(role));
        assert.deepEqual(body.sections, sections, role);
        assert.equal(body.health !== null, sections.includes('health'), `${role}: health`);
        assert.equal(body.audit !== null, sections.includes('audit'), `${role}: audit`);
        assert.equal(body.model !== null, sections.includes('model'), `${role}: model`);
        assert.equal(body.imports !== null, sections.includes('imports'), `${role}: imports`);
      }
    });

    it('shows the dataset and model the URL asks for, and ignores ids that are not choices', async () => {
      const http = await signedIn('data_scientist');
      const chosen = await dashboard(http, `?dataset=${datasetId}&model=${modelId}&version=2`);
      assert.equal(chosen.dataset?.datasetId, datasetId);
      assert.equal(chosen.model?.modelId, modelId);
      const junk = await dashboard(http, '?dataset=999999999&model=abc&version=-1');
      assert.ok(junk.dataset && junk.model, 'falls back to a dataset and a model');
    });

    it('runs the Charts actions for the roles the rule table allows, and refuses the others with 403', async () => {
      const manager = await signedIn('content_manager');
      const datasetChartsResponse = await manager.api(`/resources/datasets/records/${datasetId}/charts`);
      assert.equal(datasetChartsResponse.status, 200);
      assert.equal(
        ((await datasetChartsResponse.json()) as { charts: { datasetId: number } }).charts.datasetId,
        datasetId,
      );
      assert.equal(
        (await manager.api(`/resources/models/records/${modelId}/charts`)).status,
        403,
        'content managers do not see models',
      );
      const scientist = await signedIn('data_scientist');
      const model = await scientist.api(`/resources/models/records/${modelId}/charts?version=2`);
      assert.equal(model.status, 200);
      const body = (await model.json()) as {
        charts: { scores: { value: { version: number } } };
        predictions: { value: unknown[] };
      };
      assert.equal(body.charts.scores.value.version, 2);
      assert.equal(body.predictions.value.length, 30);
    });
  });
});
