import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AuditEvent, DataRecord, Dataset, MlModel, sequelizeOf } from '../../../models/index.js';
import type { Role } from '../../../models/enums.js';
import type { Actor } from '../../../src/access/actor.js';
import { chartCache } from '../../../src/charts/chart-cache.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { trainModel } from '../../../src/ml/train-model.js';
import type { CategoryFeatureDrift, NumericFeatureDrift } from '../../../src/monitoring/drift/drift-flags.js';
import { driftReport } from '../../../src/monitoring/drift/drift-report.js';
import { setDriftThresholds } from '../../../src/monitoring/drift/drift-thresholds.js';
import { projectRoot } from '../../../src/platform/project-root.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { seededRandom } from '../../../src/ml/seeded-random.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { unique } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { rulePrediction } from '../../reference/drift-demo-rows.js';

interface Reference {
  referenceRecords: number;
  liveRecords: number;
  features: Record<
    string,
    | { kind: 'number'; edges: number[]; psi: number; ks: number; referenceValues: number; liveValues: number }
    | { kind: 'category'; psi: number; shares: Record<string, { reference: number; live: number }> }
  >;
  predictedLabels: { psi: number; shares: Record<string, { reference: number; live: number }> };
}

const reference = JSON.parse(
  fs.readFileSync(path.join(projectRoot, 'test', 'reference', 'drift-reference.json'), 'utf8'),
) as Reference;

/** The REST API with the console session (same origin, CSRF header from the cookie). */
function rest(session: HttpSession, path: string, method = 'GET', body?: unknown): Promise<Response> {
  const token = session.cookies.get('XSRF-TOKEN');
  return session.request(`/api/v1${path}`, {
    method,
    headers: {
      accept: 'application/json',
      origin: session.baseUrl,
      ...(token ? { 'x-xsrf-token': decodeURIComponent(token) } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const close = (actual: number | null, expected: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} vs reference ${expected}`);

/** Writes `predicted(record)` as the version's prediction for every record of the dataset outside the train split. */
async function predictLive(datasetId: number, versionId: number, predicted: (r: DataRecord) => string) {
  const live = await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] });
  for (const r of live.filter((x) => x.split !== 'train'))
    await sequelizeOf().query(
      `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, scored_at, margin, entropy)
       VALUES (:id, :versionId, :label, 0.9, ARRAY[0.9, 0.1]::real[], now(), 0.8, 0.3)`,
      { replacements: { id: r.id, versionId, label: predicted(r) } },
    );
}

/** A one-number, one-category dataset: 600 train rows from N(0, 1), 400 live rows shifted by `shift`. */
async function syntheticModel(prefix: string, shift: number, seed: number): Promise<MlModel> {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const name = unique(`${prefix}-drift`);
  const rows = Array.from({ length: 1_000 }, (_, i) => {
    const live = i >= 600;
    const x = normal() + (live ? shift : 0);
    const colour = random() < (live && shift > 0 ? 0.8 : 0.5) ? 'red' : 'blue';
    return {
      features: { x: Math.round(x * 1e6) / 1e6, colour },
      label: x > 0 ? 'pos' : 'neg',
      split: live ? ('test' as const) : ('train' as const),
      text: null,
      tags: [],
    };
  });
  await insertDataset(
    { type: 'system' },
    {
      name,
      task: 'tabular-classification',
      labels: ['neg', 'pos'],
      featureSchema: [
        { name: 'x', type: 'number' },
        { name: 'colour', type: 'category', categories: ['blue', 'red'] },
      ],
      description: null,
      source: null,
      license: null,
    },
    rows,
  );
  const dataset = (await Dataset.findOne({ where: { name } }))!;
  const model = await MlModel.create({
    name: unique(`${prefix}-model`),
    datasetId: dataset.id,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const { version } = await trainModel({ type: 'system' }, { model: model.name, maxIterations: 20 });
  await predictLive(dataset.id, version.id, (r) => (Number(r.features!.x) > 0 ? 'pos' : 'neg'));
  return model;
}

describe('drift report: statistics in SQL against numpy/scipy, flags, thresholds, access (real Postgres)', () => {
  let server: RunningConsole;
  const actors = {} as Record<Role, Actor>;
  const sessions = {} as Record<Role, HttpSession>;
  let penguins: MlModel;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    for (const role of ['admin', 'data_scientist', 'content_manager', 'auditor'] as const) {
      const user = await createTestUser(role);
      actors[role] = { type: 'user', ...user };
      sessions[role] = new HttpSession(server.baseUrl);
      await sessions[role].login(user.email, TEST_PASSWORD);
    }
    chartCache.configure(0);
    penguins = await createPenguinModel('drift');
    const { version } = await trainModel({ type: 'system' }, { model: penguins.name, maxIterations: 20 });
    await predictLive(penguins.datasetId, version.id, (r) => rulePrediction(r.features as Record<string, number>));
  });
  after(async () => {
    chartCache.configure(30);
    await server?.stop();
  });

  it('matches the numpy/scipy reference on the penguins: PSI, deciles and KS per number, category shares and PSI, predicted labels', async () => {
    const report = await driftReport(actors.data_scientist, { model: penguins.name });
    assert.equal(report.reference.records, reference.referenceRecords);
    assert.equal(report.live.records, reference.liveRecords);
    assert.equal(report.sampled, false);
    for (const [name, expected] of Object.entries(reference.features)) {
      const actual = report.features.find((f) => f.feature === name);
      assert.ok(actual, `feature ${name} in the report`);
      close(actual.psi, expected.psi, `${name} PSI`);
      if (expected.kind === 'number') {
        const numeric = actual as NumericFeatureDrift;
        close(numeric.ks, expected.ks, `${name} KS`);
        assert.equal(numeric.reference.values, expected.referenceValues);
        assert.equal(numeric.live.values, expected.liveValues);
        assert.equal(numeric.edges.length, expected.edges.length);
        numeric.edges.forEach((e, i) => close(e, expected.edges[i]!, `${name} edge ${i}`));
      } else {
        const category = actual as CategoryFeatureDrift;
        for (const [value, share] of Object.entries(expected.shares)) {
          const got = category.shares.find((s) => s.value === value);
          close(got?.reference ?? null, share.reference, `${name}=${value} reference share`);
          close(got?.live ?? null, share.live, `${name}=${value} live share`);
        }
      }
    }
    close(report.predictedLabels.psi, reference.predictedLabels.psi, 'predicted labels PSI');
    for (const [label, share] of Object.entries(reference.predictedLabels.shares)) {
      const got = report.predictedLabels.shares.find((s) => s.label === label);
      close(got?.live ?? null, share.live, `predicted ${label} share`);
    }
  });

  it('flags a shifted slice as drifted, with the slice to review, and leaves a slice from the same distribution alone', async function () {
    this.timeout(60_000);
    const stable = await driftReport(actors.data_scientist, { model: (await syntheticModel('stable', 0, 11)).name });
    assert.equal(stable.drifted, false, `reasons: ${stable.reasons.join('; ')}`);
    assert.ok(stable.enoughLive);
    const shifted = await driftReport(actors.data_scientist, { model: (await syntheticModel('shifted', 1, 12)).name });
    assert.equal(shifted.drifted, true);
    const x = shifted.features.find((f) => f.feature === 'x') as NumericFeatureDrift;
    assert.ok(x.drifted && x.psi! > 0.2 && x.ks! > 0.1, `x: PSI ${x.psi}, KS ${x.ks}`);
    // The live records moved up: the slice that gained most is the top decile, open above.
    assert.equal(x.slice?.feature, 'x');
    assert.equal(x.slice?.max, undefined);
    assert.equal(x.slice?.min, x.edges.at(-1));
    const colour = shifted.features.find((f) => f.feature === 'colour') as CategoryFeatureDrift;
    assert.deepEqual(colour.slice, { feature: 'colour', value: 'red' });
    assert.ok(shifted.reasons.some((r) => r.startsWith('x: ')));
    // The stored report is what the dashboard tile reads.
    const [stored] = (await sequelizeOf().query('SELECT drifted FROM drift_reports WHERE model_version_id = :id', {
      replacements: { id: shifted.version.id },
    })) as [Array<{ drifted: boolean }>, unknown];
    assert.equal(stored[0]?.drifted, true);
  });

  it('changes thresholds for admins and data scientists only, audited with before and after, and the flag follows them', async () => {
    const model = await syntheticModel('limits', 1, 13);
    const result = await setDriftThresholds(actors.data_scientist, model.id, { psi: 9, ks: 0.99 });
    assert.deepEqual(result.changed, { psi: 9, ks: 0.99 });
    const event = await AuditEvent.findOne({
      where: { action: 'models.drift_settings', recordIds: [String(model.id)] },
      order: [['seq', 'DESC']],
    });
    assert.equal(event?.outcome, 'success');
    assert.deepEqual((event?.before as { driftThresholds: { psi: number } }).driftThresholds.psi, 0.2);
    assert.deepEqual((event?.after as { driftThresholds: { psi: number; ks: number } }).driftThresholds.ks, 0.99);
    const relaxed = await driftReport(actors.admin, { model: model.name });
    assert.equal(relaxed.features.find((f) => f.feature === 'x')?.drifted, false);
    await assert.rejects(setDriftThresholds(actors.data_scientist, model.id, { psi: -1 }), InvalidInput);
    for (const role of ['content_manager', 'auditor'] as const) {
      await assert.rejects(setDriftThresholds(actors[role], model.id, { psi: 0.1 }), Forbidden);
      const denied = await AuditEvent.findOne({
        where: {
          action: 'models.drift_settings',
          outcome: 'denied',
          actorId: String((actors[role] as { id: number }).id),
        },
      });
      assert.ok(denied, `denied event for ${role}`);
    }
    await setDriftThresholds(actors.admin, model.id, { psi: null, ks: '' });
    const back = await driftReport(actors.admin, { model: model.name });
    assert.equal(back.thresholds.psi, 0.2);
    assert.equal(back.drifted, true);
  });

  it('lets every staff role read the report, in the service and through the API, and refuses content managers', async () => {
    for (const role of ['admin', 'data_scientist', 'content_manager', 'auditor'] as const) {
      const allowed = role !== 'content_manager';
      if (allowed) assert.equal((await driftReport(actors[role], { model: penguins.name })).model.id, penguins.id);
      else await assert.rejects(driftReport(actors[role], { model: penguins.name }), Forbidden);
      const response = await rest(sessions[role], `/models/${penguins.name}/drift`);
      assert.equal(response.status, allowed ? 200 : 403, `${role} GET drift`);
      const body = (await response.json()) as { drifted?: boolean; detail?: string };
      if (allowed) assert.equal(typeof body.drifted, 'boolean');
      else assert.match(body.detail ?? '', /content manager/);
      const patch = await rest(sessions[role], `/models/${penguins.name}/drift-thresholds`, 'PATCH', { ks: 0.2 });
      assert.equal(patch.status, role === 'admin' || role === 'data_scientist' ? 200 : 403, `${role} PATCH thresholds`);
    }
    const missing = await rest(sessions.admin, `/models/${penguins.name}/drift?version=99`);
    assert.equal(missing.status, 404);
  });
});
