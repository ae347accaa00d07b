import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import fs from 'node:fs';
import path from 'node:path';
import { AuditEvent, DataRecord, Dataset, MlModel, sequelizeOf } from '../../../models/index.js';
import type { Role } from '../../../models/enums.js';
import type { Actor } from '../../../src/access/actor.js';
import { chartCache } from '../../../src/charts/chart-cache.js';
import { dashboardOf } from '../../../src/charts/dashboard.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { trainModel } from '../../../src/ml/train-model.js';
import type { CategoryFeatureDrift, NumericFeatureDrift } from '../../../src/monitoring/drift/drift-flags.js';
import { driftReport } from '../../../src/monitoring/drift/drift-report.js';
import { setDriftThresholds } from '../../../src/monitoring/drift/drift-thresholds.js';
import { projectRoot } from '../../../src/platform/project-root.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { seededRandom } from '../../../src/ml/seeded-random.js';
import { tokenize } from '../../../src/ml/text/tokenize.js';
import { versionVocabulary } from '../../../src/ml/text/version-vocabulary.js';
import { psi } from '../../../src/monitoring/drift/drift-flags.js';
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
import { changeRecords } from '../../support/change-records.js';

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

/** numpy's default quantile (linear interpolation between order statistics). */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** Two-sample KS statistic, by walking both sorted samples (as scipy's ks_2samp). */
function ks(a: readonly number[], b: readonly number[]): number {
  const values = [...new Set([...a, ...b])].sort((x, y) => x - y);
  let best = 0;
  for (const v of values) {
    const fa = a.filter((x) => x <= v).length / a.length;
    const fb = b.filter((x) => x <= v).length / b.length;
    best = Math.max(best, Math.abs(fa - fb));
  }
  return best;
}

/** PSI of `live` against the reference's distinct deciles, computed here from the values. */
function decilePsi(reference: readonly number[], live: readonly number[]): number {
  const sorted = [...reference].sort((x, y) => x - y);
  const edges = [...new Set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((q) => quantile(sorted, q)))];
  const bin = (x: number) => edges.filter((e) => e <= x).length;
  const count = (xs: readonly number[]) => {
    const c = new Array<number>(edges.length + 1).fill(0);
    for (const x of xs) c[bin(x)]! += 1;
    return c;
  };
  return psi(count(reference), count(live))!;
}

const WORDS = ['refund', 'invoice', 'order', 'late', 'broken', 'thanks', 'great', 'help', 'account', 'password'];
const NEW_WORDS = ['blockchain', 'metaverse', 'quantum', 'nft'];

/** A text dataset: 80 train messages of known words, 40 live ones of which half carry new words; a text version trained on it. */
async function textModel(): Promise<{ model: MlModel; versionId: number; live: string[]; train: string[] }> {
  const random = seededRandom(21);
  const pick = (words: readonly string[], n: number) =>
    Array.from({ length: n }, () => words[Math.floor(random() * words.length)]!).join(' ');
  const train = Array.from({ length: 80 }, (_, i) => `${pick(WORDS, 3 + (i % 5))} please`);
  const live = Array.from({ length: 40 }, (_, i) =>
    i % 2 === 0 ? `${pick(WORDS, 4)} ${pick(NEW_WORDS, 6)} NOW` : `${pick(WORDS, 3 + (i % 4))} please`,
  );
  const name = unique('text-drift');
  await insertDataset(
    { type: 'system' },
    {
      name,
      task: 'text-classification',
      labels: ['a', 'b'],
      featureSchema: [],
      description: null,
      source: null,
      license: null,
    },
    [
      ...train.map((text, i) => ({
        text,
        label: i % 2 ? 'a' : 'b',
        split: 'train' as const,
        features: null,
        tags: [],
      })),
      ...live.map((text) => ({ text, label: null, split: 'test' as const, features: null, tags: [] })),
    ],
  );
  const dataset = (await Dataset.findOne({ where: { name } }))!;
  const model = await MlModel.create({
    name: unique('text-drift-model'),
    datasetId: dataset.id,
    task: 'text-classification',
    description: null,
    createdById: null,
  });
  const { version } = await trainModel({ type: 'system' }, { model: model.name, maxIterations: 10 });
  await predictLive(dataset.id, version.id, () => 'a');
  // Two sampled API predictions count as live too.
  for (const text of ['quantum nft refund', 'thanks please'])
    await sequelizeOf().query(
      `INSERT INTO predict_samples (model_version_id, text, predicted_label, probabilities, margin) VALUES (:v, :text, 'a', '{0.6,0.4}', 0.2)`,
      { replacements: { v: version.id, text } },
    );
  return { model, versionId: version.id, live: [...live, 'quantum nft refund', 'thanks please'], train };
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

  it('reduces the reference once per version: later reports read it, and it stays what the version was trained on', async () => {
    const first = await driftReport(actors.data_scientist, { model: penguins.name });
    const stored = await sequelizeOf().query<{ n: number; features: number }>(
      `SELECT count(DISTINCT r.sample_cap)::int AS n, count(v.feature)::int AS features
         FROM drift_references r JOIN drift_reference_values v USING (model_version_id, sample_cap)
        WHERE r.model_version_id = :id`,
      { replacements: { id: first.version.id }, type: QueryTypes.SELECT },
    );
    assert.equal(stored[0]?.n, 1);
    assert.equal(stored[0]?.features, first.features.filter((f) => f.kind === 'number').length);
    // A training row edited after the reference was stored does not move it (live rows are read each time).
    const [trainRow] = await DataRecord.findAll({ where: { datasetId: penguins.datasetId, split: 'train' }, limit: 1 });
    await changeRecords(() =>
      sequelizeOf().query(
        `UPDATE records SET features = jsonb_set(features, '{beak_length_mm}', '1000') WHERE id = :id`,
        { replacements: { id: trainRow!.id } },
      ),
    );
    const second = await driftReport(actors.data_scientist, { model: penguins.name });
    assert.deepEqual(second.features, first.features);
    assert.deepEqual(second.predictedLabels, first.predictedLabels);
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
    const tile = (await dashboardOf(actors.data_scientist, {}, { heartbeatSeconds: 30 })).drift;
    assert.ok(tile?.drifted.some((m) => m.modelId === shifted.model.id && m.reasons.length > 0));
    assert.ok(!tile!.drifted.some((m) => m.modelId === stable.model.id));
    assert.equal((await dashboardOf(actors.content_manager, {}, { heartbeatSeconds: 30 })).drift, null);
  });

  it('changes thresholds for admins and data scientists only, audited with before and after, and the flag follows them', async () => {
    const model = await syntheticModel('limits', 1, 13);
    await driftReport(actors.admin, { model: model.name });
    const result = await setDriftThresholds(actors.data_scientist, model.id, { psi: 9, ks: 0.99 });
    assert.deepEqual(result.changed, { psi: 9, ks: 0.99 });
    // The report flagged by the old thresholds is no longer what the dashboard shows.
    const [kept] = (await sequelizeOf().query('SELECT count(*)::int AS n FROM drift_reports WHERE model_id = :id', {
      replacements: { id: model.id },
    })) as [Array<{ n: number }>, unknown];
    assert.equal(kept[0]?.n, 0);
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

  it("measures text: out-of-vocabulary rate against the version's own words and length shift, as computed here from the tokens", async function () {
    this.timeout(60_000);
    const { model, versionId, live, train } = await textModel();
    const words = new Set((await versionVocabulary(versionId))!.words);
    const oov = (texts: string[]) => {
      const tokens = texts.flatMap(tokenize);
      return tokens.filter((t) => !words.has(t)).length / tokens.length;
    };
    const rate = (t: string) => {
      const tokens = tokenize(t);
      return tokens.length === 0 ? 0 : tokens.filter((w) => !words.has(w)).length / tokens.length;
    };
    const report = await driftReport(actors.auditor, { model: model.name });
    assert.equal(report.live.records, 40);
    assert.equal(report.live.predictSamples, 2);
    close(report.outOfVocabulary!.reference, oov(train), 'training OOV rate');
    close(report.outOfVocabulary!.live, oov(live), 'live OOV rate');
    assert.equal(report.outOfVocabulary!.drifted, true);
    const length = report.features.find((f) => f.feature === 'length') as NumericFeatureDrift;
    const lengths = (texts: string[]) => texts.map((t) => [...t].length);
    close(length.ks, ks(lengths(train), lengths(live)), 'length KS');
    close(length.psi, decilePsi(lengths(train), lengths(live)), 'length PSI');
    const perRecord = report.features.find((f) => f.feature === 'out_of_vocabulary') as NumericFeatureDrift;
    close(perRecord.ks, ks(train.map(rate), live.map(rate)), 'per-record OOV rate KS');
    // Training is all in vocabulary (one decile edge, 0): the slice is where the KS point puts the live records.
    const lowestLiveRate = Math.min(...live.map(rate).filter((r) => r > 0));
    assert.deepEqual(perRecord.slice, { feature: 'out_of_vocabulary', min: lowestLiveRate });
    // 42 live records are below the default minimum of 100: nothing is flagged until it is lowered.
    assert.equal(report.enoughLive, false);
    assert.equal(report.drifted, false);
    await setDriftThresholds(actors.data_scientist, model.id, { minLiveRecords: 40 });
    const flagged = await driftReport(actors.auditor, { model: model.name });
    assert.ok(flagged.drifted);
    assert.ok(flagged.reasons.some((r) => r.startsWith('out-of-vocabulary rate')));
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
