import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Op, QueryTypes } from 'sequelize';
import {
  AuditEvent,
  DataRecord,
  Dataset,
  MlModel,
  ModelVersion,
  ReviewQueue,
  sequelizeOf,
} from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { openClassifier, signatureOf } from '../../../src/ml/onnx-classifier.js';
import { encodeInputs } from '../../../src/ml/model-inputs.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { tokenize, type Vocabulary } from '../../../src/ml/text/tfidf.js';
import { versionVocabulary } from '../../../src/ml/text/version-vocabulary.js';
import { createReviewQueue } from '../../../src/review/create-queue.js';
import { normaliseText, type QueueFilter } from '../../../src/review/queue-filter.js';
import { forEachCandidatePage, type Candidate } from '../../../src/review/queue-candidates.js';
import { withRawConnection } from '../../../src/db/raw-connection.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { createTestUser } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { waitForJob } from '../../support/jobs.js';
import { changeRecords } from '../../support/change-records.js';
import { createPenguinModel } from '../../support/penguin-model.js';

/** A small seeded generator (mulberry32): the same probabilities every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Prediction {
  recordId: number;
  probabilities: number[];
  predicted: string;
  /** As stored (real): rounded to float32, which is what Postgres orders by. */
  score: number;
  margin: number;
  entropy: number;
}

/** Writes each record's prediction with margin and entropy computed here (as the migration's backfill does). */
async function setPredictions(
  versionId: number,
  labels: readonly string[],
  rows: ReadonlyArray<{ recordId: number; probabilities: number[] }>,
): Promise<Map<number, Prediction>> {
  const out = new Map<number, Prediction>();
  for (const { recordId, probabilities } of rows) {
    const p = probabilities.map(Math.fround);
    const sorted = [...p].sort((a, b) => b - a);
    let top = 0;
    p.forEach((v, i) => (v > p[top]! ? (top = i) : undefined));
    out.set(recordId, {
      recordId,
      probabilities: p,
      predicted: labels[top]!,
      score: p[top]!,
      margin: Math.fround(sorted[0]! - (sorted[1] ?? 0)),
      entropy: Math.fround(-p.filter((v) => v > 0).reduce((s, v) => s + v * Math.log(v), 0)),
    });
  }
  const values = [...out.values()];
  await sequelizeOf().query(
    `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, margin, entropy)
     SELECT t.id, :versionId, t.label, t.score, string_to_array(t.probabilities, ',')::real[], t.margin, t.entropy
       FROM unnest(CAST(:ids AS bigint[]), CAST(:labels AS text[]), CAST(:scores AS real[]), CAST(:probabilities AS text[]),
                   CAST(:margins AS real[]), CAST(:entropies AS real[])) AS t(id, label, score, probabilities, margin, entropy)
     ON CONFLICT (record_id) DO UPDATE SET model_version_id = EXCLUDED.model_version_id, predicted_label = EXCLUDED.predicted_label,
       score = EXCLUDED.score, probabilities = EXCLUDED.probabilities, margin = EXCLUDED.margin, entropy = EXCLUDED.entropy`,
    {
      replacements: {
        versionId,
        ids: `{${values.map((v) => v.recordId).join(',')}}`,
        labels: `{${values.map((v) => `"${v.predicted}"`).join(',')}}`,
        scores: `{${values.map((v) => v.score).join(',')}}`,
        probabilities: `{${values.map((v) => `"${v.probabilities.join(',')}"`).join(',')}}`,
        margins: `{${values.map((v) => v.margin).join(',')}}`,
        entropies: `{${values.map((v) => v.entropy).join(',')}}`,
      },
    },
  );
  return out;
}

interface Item {
  recordId: number;
  priority: number | null;
}

/** Creates a queue, waits for its job, and answers its items in position order. */
async function build(
  actor: Actor,
  input: Parameters<typeof createReviewQueue>[1],
): Promise<{ queue: ReviewQueue; items: Item[]; result: Record<string, unknown> }> {
  const created = await createReviewQueue(actor, input);
  const job = await waitForJob(created.jobId);
  assert.equal(job.status, 'succeeded', job.error ?? '');
  const items = await sequelizeOf().query<{ record_id: string; priority: number | null; position: number }>(
    'SELECT record_id, priority, position FROM review_items WHERE queue_id = :id ORDER BY position',
    { replacements: { id: created.queue.id }, type: QueryTypes.SELECT },
  );
  items.forEach((item, i) => assert.equal(item.position, i + 1, 'positions run 1…n'));
  return {
    queue: (await ReviewQueue.findByPk(created.queue.id))!,
    items: items.map((i) => ({ recordId: Number(i.record_id), priority: i.priority })),
    result: job.result ?? {},
  };
}

const ids = (items: ReadonlyArray<{ recordId: number }>) => items.map((i) => i.recordId);
const byThenId =
  <T extends { recordId: number }>(key: (x: T) => number) =>
  (a: T, b: T) =>
    key(a) - key(b) || a.recordId - b.recordId;

interface PenguinRecord {
  id: number;
  label: string | null;
  split: string;
  tags: string[];
  features: Record<string, unknown>;
}

describe('review queues: strategies, restrictions and near-duplicates (job on real Postgres)', () => {
  let scientist: Actor;
  let admin: Actor;
  let manager: Actor;
  let auditor: Actor;
  // Penguins: three labels, so margin and entropy order records differently.
  let penguinDataset: Dataset;
  let penguinVersion: ModelVersion;
  let penguinCompare: ModelVersion;
  let penguins: PenguinRecord[];
  let penguinPredictions: Map<number, Prediction>;
  const penguinLabels = ['Adelie', 'Chinstrap', 'Gentoo'];

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    await startQueue(testDatabaseUrl());
    await startWorker();
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    admin = { type: 'user', ...(await createTestUser('admin')) };
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    auditor = { type: 'user', ...(await createTestUser('auditor')) };
    const model = await createPenguinModel('review');
    penguinDataset = (await Dataset.findByPk(model.datasetId))!;
    penguinVersion = (await trainModel(scientist, { model: model.name, maxIterations: 40 })).version;
    penguinCompare = (await trainModel(scientist, { model: model.name, maxIterations: 1, l2: 1 })).version;
    const records = await DataRecord.findAll({ where: { datasetId: model.datasetId }, order: [['id', 'ASC']] });
    // Tag every 7th bird, so restrictions have something to narrow to.
    await changeRecords(() =>
      sequelizeOf().query(`UPDATE records SET tags = ARRAY['checked'] WHERE dataset_id = :datasetId AND id % 7 = 0`, {
        replacements: { datasetId: model.datasetId },
      }),
    );
    penguins = records.map((r) => ({
      id: Number(r.id),
      label: r.label,
      split: r.split,
      tags: Number(r.id) % 7 === 0 ? ['checked'] : [],
      features: r.features ?? {},
    }));
    const random = seeded(22);
    penguinPredictions = await setPredictions(
      penguinVersion.id,
      signatureOf(penguinVersion).labels,
      penguins.map((r) => {
        const raw = [random() ** 2, random() ** 2, random() ** 2];
        const sum = raw.reduce((a, b) => a + b, 0);
        return { recordId: r.id, probabilities: raw.map((v) => v / sum) };
      }),
    );
    assert.deepEqual(signatureOf(penguinVersion).labels, penguinLabels);
  });
  after(() => stopWorker());

  const base = () => ({ datasetId: penguinDataset.id, modelVersionId: penguinVersion.id });
  const predicted = () => [...penguinPredictions.values()];

  it('least_margin: the records whose top two probabilities are closest, in that order, with the margin as priority', async () => {
    const { items, queue } = await build(scientist, { ...base(), strategy: 'least_margin', size: 40 });
    const expected = predicted()
      .sort(byThenId((p) => p.margin))
      .slice(0, 40);
    assert.deepEqual(ids(items), ids(expected));
    items.forEach((item, i) => assert.equal(Math.fround(item.priority!), expected[i]!.margin));
    assert.equal(queue.status, 'open');
    assert.equal(queue.size, 40);
  });

  it('highest_entropy: the most uncertain records by entropy (not the same order as margin with three labels)', async () => {
    const { items } = await build(scientist, { ...base(), strategy: 'highest_entropy', size: 40 });
    const expected = predicted()
      .sort(byThenId((p) => -p.entropy))
      .slice(0, 40);
    assert.deepEqual(ids(items), ids(expected));
    const byMargin = predicted()
      .sort(byThenId((p) => p.margin))
      .slice(0, 40);
    assert.notDeepEqual(ids(expected), ids(byMargin), 'the test data tells the two strategies apart');
  });

  it('misclassified: records whose label differs from the prediction, most confident mistakes first', async () => {
    const { items } = await build(scientist, { ...base(), strategy: 'misclassified', size: 30 });
    const labels = new Map(penguins.map((r) => [r.id, r.label]));
    const expected = predicted()
      .filter((p) => labels.get(p.recordId) !== null && labels.get(p.recordId) !== p.predicted)
      .sort(byThenId((p) => -p.score))
      .slice(0, 30);
    assert.equal(expected.length, 30);
    assert.deepEqual(ids(items), ids(expected));
  });

  it('random: a seeded sample (md5 of queue id and record id), the same for the same queue, different for another', async () => {
    const { items, queue } = await build(scientist, { ...base(), strategy: 'random', size: 25 });
    const md5 = (id: number) => createHash('md5').update(`${queue.id}:${id}`).digest('hex');
    const expected = penguins
      .map((r) => ({ recordId: r.id, key: md5(r.id) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.recordId - b.recordId))
      .slice(0, 25);
    assert.deepEqual(ids(items), ids(expected));
    const other = await build(scientist, { ...base(), strategy: 'random', size: 25 });
    assert.notDeepEqual(ids(other.items), ids(items));
  });

  it('disagreement: records the two versions label differently, most apart (total variation) first', async function () {
    this.timeout(60_000);
    const { items, result } = await build(scientist, {
      ...base(),
      strategy: 'disagreement',
      compareVersionId: penguinCompare.id,
      size: 10_000,
    });
    const full = (await ModelVersion.unscoped().findByPk(penguinCompare.id))!;
    const classifier = await openClassifier(full.onnx, signatureOf(full));
    const records = await DataRecord.findAll({ where: { datasetId: penguinDataset.id }, order: [['id', 'ASC']] });
    const output = await classifier.predict(encodeInputs(penguinDataset, records));
    await classifier.release();
    const compareLabels = signatureOf(full).labels;
    const expected: Array<{ recordId: number; distance: number }> = [];
    records.forEach((record, row) => {
      const mine = penguinPredictions.get(Number(record.id))!;
      const other = compareLabels.map((_, c) => output.probabilities[row * compareLabels.length + c]!);
      const otherLabel = compareLabels[other.indexOf(Math.max(...other))]!;
      if (otherLabel === mine.predicted) return;
      const distance =
        penguinLabels.reduce(
          (s, label, c) => s + Math.abs(mine.probabilities[c]! - other[compareLabels.indexOf(label)]!),
          0,
        ) / 2;
      expected.push({ recordId: Number(record.id), distance });
    });
    expected.sort(byThenId((e) => -e.distance));
    assert.ok(expected.length > 20, `the versions disagree on ${expected.length} birds`);
    assert.equal(result.examined, penguins.length);
    assert.deepEqual(ids(items), ids(expected));
    items.forEach((item, i) => assert.ok(Math.abs(item.priority! - expected[i]!.distance) < 1e-5));
  });

  it('drift: the records of a numeric slice [min, max), then of a category, by least margin', async () => {
    const slice = { feature: 'beak_length_mm', min: 40, max: 45 };
    const { items } = await build(scientist, { ...base(), strategy: 'drift', filter: { slice }, size: 10_000 });
    const inSlice = (r: PenguinRecord) => {
      const v = r.features.beak_length_mm;
      return typeof v === 'number' && v >= 40 && v < 45;
    };
    const expected = predicted()
      .filter((p) => inSlice(penguins.find((r) => r.id === p.recordId)!))
      .sort(byThenId((p) => p.margin));
    assert.ok(expected.length > 20 && expected.length < penguins.length / 2);
    assert.deepEqual(ids(items), ids(expected));

    const island = await build(scientist, {
      ...base(),
      strategy: 'drift',
      filter: { slice: { feature: 'island', value: 'Dream' } },
      size: 10_000,
    });
    const dream = predicted()
      .filter((p) => penguins.find((r) => r.id === p.recordId)!.features.island === 'Dream')
      .sort(byThenId((p) => p.margin));
    assert.deepEqual(ids(island.items), ids(dream));
  });

  it('restricts candidates by split, tag and label, keeping the strategy order among them', async () => {
    const filters: Array<[QueueFilter, (r: PenguinRecord) => boolean]> = [
      [{ split: 'test' }, (r) => r.split === 'test'],
      [{ tag: 'checked' }, (r) => r.tags.includes('checked')],
      [{ label: 'Gentoo' }, (r) => r.label === 'Gentoo'],
      [
        { split: 'train', label: 'Adelie', tag: 'checked' },
        (r) => r.split === 'train' && r.label === 'Adelie' && r.tags.includes('checked'),
      ],
    ];
    for (const [filter, matches] of filters) {
      const { items } = await build(scientist, { ...base(), strategy: 'least_margin', filter, size: 20 });
      const byId = new Map(penguins.map((r) => [r.id, r]));
      const expected = predicted()
        .filter((p) => matches(byId.get(p.recordId)!))
        .sort(byThenId((p) => p.margin))
        .slice(0, 20);
      assert.ok(expected.length > 0, JSON.stringify(filter));
      assert.deepEqual(ids(items), ids(expected), JSON.stringify(filter));
    }
  });

  it('leaves out soft-deleted records and records another version scored last', async () => {
    const [gone, other] = predicted().sort(byThenId((p) => p.margin));
    await changeRecords(() =>
      sequelizeOf().query('UPDATE records SET deleted_at = now() WHERE id = :id', {
        replacements: { id: gone!.recordId },
      }),
    );
    await sequelizeOf().query('UPDATE record_predictions SET model_version_id = :v WHERE record_id = :id', {
      replacements: { id: other!.recordId, v: penguinCompare.id },
    });
    try {
      const { items } = await build(scientist, { ...base(), strategy: 'least_margin', size: 5 });
      assert.ok(!ids(items).includes(gone!.recordId) && !ids(items).includes(other!.recordId));
    } finally {
      await changeRecords(() =>
        sequelizeOf().query('UPDATE records SET deleted_at = NULL WHERE id = :id', {
          replacements: { id: gone!.recordId },
        }),
      );
      await sequelizeOf().query('UPDATE record_predictions SET model_version_id = :v WHERE record_id = :id', {
        replacements: { id: other!.recordId, v: penguinVersion.id },
      });
    }
  });

  it('reads candidates past the first sorted batch, in the same order, when more are wanted', async () => {
    const read: Candidate[] = [];
    const pages: number[] = [];
    await withRawConnection(sequelizeOf(), (client) =>
      forEachCandidatePage(
        client,
        {
          datasetId: penguinDataset.id,
          versionId: penguinVersion.id,
          strategy: 'least_margin',
          filter: {},
          featureSchema: penguinDataset.featureSchema,
          seed: 1,
          withInput: true,
        },
        7,
        { first: 10 },
        async (page) => {
          read.push(...page);
          pages.push(page.length);
          return true;
        },
      ),
    );
    assert.deepEqual(ids(read), ids(predicted().sort(byThenId((p) => p.margin))));
    assert.deepEqual(pages.slice(0, 3), [7, 3, 7], 'ten sorted first, then the rest');
    const bird = read.find((c) => c.recordId === penguins[0]!.id)!;
    assert.deepEqual(bird.features, penguins[0]!.features, 'inputs are read with the page');
  });

  it('exact dedupe on a tabular dataset drops a bird with the same features as one already queued', async () => {
    const [first, second] = predicted().sort(byThenId((p) => p.margin));
    const source = penguins.find((r) => r.id === first!.recordId)!;
    await changeRecords(() =>
      sequelizeOf().query('UPDATE records SET features = :features WHERE id = :id', {
        replacements: { id: second!.recordId, features: JSON.stringify(source.features) },
      }),
    );
    const { items, result } = await build(scientist, {
      ...base(),
      strategy: 'least_margin',
      filter: { dedupe: 'exact' },
      size: 10,
    });
    const expected = predicted()
      .sort(byThenId((p) => p.margin))
      .filter((p) => p.recordId !== second!.recordId)
      .slice(0, 10);
    assert.deepEqual(ids(items), ids(expected));
    assert.equal(result.duplicatesDropped, 1);
  });

  it('refuses what cannot be built, saying what to change', async () => {
    const cases: Array<[Parameters<typeof createReviewQueue>[1], RegExp]> = [
      [{ ...base(), strategy: 'disagreement' }, /choose the version to compare with/],
      [{ ...base(), strategy: 'least_margin', compareVersionId: penguinCompare.id }, /Only the disagreement strategy/],
      [{ ...base(), strategy: 'drift' }, /drifted slice/],
      [{ ...base(), strategy: 'drift', filter: { slice: { feature: 'wingspan', min: 1 } } }, /no feature "wingspan"/],
      [{ ...base(), strategy: 'drift', filter: { slice: { feature: 'island', min: 1 } } }, /is a category/],
      [{ ...base(), strategy: 'least_margin', filter: { label: 'Emperor' } }, /not one of the labels/],
      [{ ...base(), strategy: 'least_margin', filter: { dedupe: 'tfidf' } }, /is tabular/],
      [{ ...base(), strategy: 'least_margin', size: 10_001 }, /at most 10,000/],
      [{ ...base(), strategy: 'least_margin', modelVersionId: penguinCompare.id }, /has scored no records/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(createReviewQueue(scientist, input), (error: unknown) => {
        assert.ok(error instanceof InvalidInput, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('refuses margin-based strategies over predictions written before margins were recorded, saying to score again', async () => {
    const [one] = predicted().sort(byThenId((p) => p.margin));
    await sequelizeOf().query(
      'UPDATE record_predictions SET model_version_id = :v, margin = NULL, entropy = NULL WHERE record_id = :id',
      { replacements: { id: one!.recordId, v: penguinCompare.id } },
    );
    try {
      const input = { ...base(), modelVersionId: penguinCompare.id };
      await assert.rejects(
        createReviewQueue(scientist, { ...input, strategy: 'least_margin' }),
        /Score dataset" with it again/,
      );
      const { items } = await build(scientist, { ...input, strategy: 'random' });
      assert.deepEqual(ids(items), [one!.recordId], 'random needs no margin');
    } finally {
      await sequelizeOf().query(
        'UPDATE record_predictions SET model_version_id = :v, margin = :margin, entropy = :entropy WHERE record_id = :id',
        { replacements: { id: one!.recordId, v: penguinVersion.id, margin: one!.margin, entropy: one!.entropy } },
      );
    }
  });

  it('lets admins and data scientists create queues; refuses content managers and auditors, with a denied event', async () => {
    const created = await build(admin, { ...base(), strategy: 'least_margin', size: 3 });
    assert.equal(created.items.length, 3);
    for (const actor of [manager, auditor]) {
      const before = await AuditEvent.count({ where: { action: 'review_queues.create', outcome: 'denied' } });
      await assert.rejects(createReviewQueue(actor, { ...base(), strategy: 'least_margin' }), Forbidden);
      assert.equal(
        await AuditEvent.count({ where: { action: 'review_queues.create', outcome: 'denied' } }),
        before + 1,
      );
    }
  });

  it('audits the creation, the job and the build, naming the queue', async () => {
    const { queue } = await build(scientist, { ...base(), strategy: 'highest_entropy', size: 7, name: 'Audit me' });
    const events = await AuditEvent.findAll({
      where: { resource: 'reviewQueues', outcome: 'success' },
      order: [['seq', 'ASC']],
    });
    const mine = events.filter((e) => (e.recordIds ?? []).map(String).includes(String(queue.id)));
    assert.deepEqual(
      mine.map((e) => e.action),
      ['review_queues.create', 'review_queues.build'],
    );
    assert.equal((mine[0]!.after as { name: string }).name, 'Audit me');
    assert.equal((mine[1]!.after as { size: number }).size, 7);
    const enqueued = await AuditEvent.findOne({
      where: { action: 'jobs.enqueue', recordIds: { [Op.contains]: [String(queue.jobId)] } },
    });
    assert.ok(enqueued, 'the job is queued with its own event');
  });

  describe('text datasets', () => {
    let textDataset: Dataset;
    let textVersion: ModelVersion;
    let vocabulary: Vocabulary;
    let texts: Map<number, string>;
    let textPredictions: Map<number, Prediction>;

    before(async function () {
      this.timeout(120_000);
      const random = seeded(7);
      const spamWords = ['cheap', 'pills', 'offer', 'winner', 'prize', 'free', 'money', 'click', 'now', 'deal'];
      const hamWords = [
        'meeting',
        'tomorrow',
        'report',
        'lunch',
        'project',
        'team',
        'notes',
        'review',
        'draft',
        'call',
      ];
      const pick = (words: string[], n: number) =>
        Array.from({ length: n }, () => words[Math.floor(random() * words.length)]!);
      const rows: Array<{ text: string; label: string }> = [];
      for (let i = 0; i < 80; i += 1) {
        const spam = i % 2 === 0;
        rows.push({ text: pick(spam ? spamWords : hamWords, 4 + (i % 6)).join(' '), label: spam ? 'spam' : 'ham' });
      }
      // Near-duplicates placed to be the least certain: an exact one and a TF-IDF one.
      rows.push({ text: 'Cheap pills, FREE offer now!', label: 'spam' });
      rows.push({ text: 'cheap   pills free offer  now', label: 'spam' });
      rows.push({ text: 'winner prize money click deal deal', label: 'spam' });
      rows.push({ text: 'winner prize money click deal deal deal', label: 'spam' });
      rows.push({ text: 'quarterly zyzzyva xylophone report', label: 'ham' });
      rows.push({ text: 'qwertyuiop meeting notes', label: 'ham' });
      const name = unique('review-texts');
      await insertDataset(
        { type: 'system' },
        {
          name,
          task: 'text-classification',
          labels: ['ham', 'spam'],
          featureSchema: [],
          description: null,
          source: null,
          license: null,
        },
        rows.map((r, i) => ({ ...r, features: null, split: i % 5 === 0 ? 'test' : 'train', tags: [], source: null })),
      );
      textDataset = (await Dataset.findOne({ where: { name } }))!;
      const model = await MlModel.create({
        name: unique('review-text-model'),
        datasetId: textDataset.id,
        task: 'text-classification',
        description: null,
        createdById: null,
      });
      textVersion = (await trainModel(scientist, { model: model.name, maxIterations: 30 })).version;
      vocabulary = (await versionVocabulary(textVersion.id))!;
      const records = await DataRecord.findAll({ where: { datasetId: textDataset.id }, order: [['id', 'ASC']] });
      texts = new Map(records.map((r) => [Number(r.id), r.text!]));
      const n = records.length;
      // The six special rows come last: give them the smallest margins, in order.
      textPredictions = await setPredictions(
        textVersion.id,
        signatureOf(textVersion).labels,
        records.map((r, i) => {
          const margin = i >= n - 6 ? 0.01 * (i - (n - 6) + 1) : 0.1 + 0.8 * random();
          return { recordId: Number(r.id), probabilities: [(1 + margin) / 2, (1 - margin) / 2] };
        }),
      );
    });

    const textBase = () => ({ datasetId: textDataset.id, modelVersionId: textVersion.id });
    const inMarginOrder = () => [...textPredictions.values()].sort(byThenId((p) => p.margin));

    /** The TF-IDF vector of a text as the model sees it, computed here: sublinear tf × idf, unit length. */
    const vectorOf = (text: string) => {
      const counts = new Map<number, number>();
      for (const token of tokenize(text)) {
        const j = vocabulary.index.get(token);
        if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
      }
      const weights = new Map([...counts].map(([j, c]) => [j, (1 + Math.log(c)) * vocabulary.idf[j]!]));
      const norm = Math.sqrt([...weights.values()].reduce((s, w) => s + w * w, 0));
      return new Map([...weights].map(([j, w]) => [j, norm > 0 ? w / norm : 0]));
    };
    const cosine = (a: Map<number, number>, b: Map<number, number>) =>
      [...a].reduce((s, [j, w]) => s + w * (b.get(j) ?? 0), 0);

    it('exact dedupe drops the same text after lower-casing, stripping punctuation and collapsing spaces', async () => {
      const { items, result } = await build(scientist, {
        ...textBase(),
        strategy: 'least_margin',
        filter: { dedupe: 'exact' },
        size: 30,
      });
      const seen = new Set<string>();
      const expected = inMarginOrder().filter((p) => {
        const key = normaliseText(texts.get(p.recordId)!);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      assert.equal(normaliseText('Cheap pills, FREE offer now!'), 'cheap pills free offer now');
      assert.deepEqual(ids(items), ids(expected.slice(0, 30)));
      assert.ok(Number(result.duplicatesDropped) >= 1);
      assert.ok(!ids(items).includes(inMarginOrder()[1]!.recordId), 'the second spelling of the same text is dropped');
    });

    it('TF-IDF dedupe also drops texts whose cosine with a queued one reaches the threshold (version vocabulary)', async () => {
      for (const similarity of [0.9, 0.6]) {
        const { items } = await build(scientist, {
          ...textBase(),
          strategy: 'least_margin',
          filter: { dedupe: 'tfidf', similarity },
          size: 30,
        });
        const kept: Array<{ key: string; vector: Map<number, number> }> = [];
        const expected = inMarginOrder().filter((p) => {
          const text = texts.get(p.recordId)!;
          const key = normaliseText(text);
          const vector = vectorOf(text);
          if (kept.some((k) => k.key === key || (vector.size > 0 && cosine(k.vector, vector) >= similarity - 1e-9)))
            return false;
          kept.push({ key, vector });
          return true;
        });
        assert.deepEqual(ids(items), ids(expected.slice(0, 30)), `similarity ${similarity}`);
        const exactOnly = new Set(inMarginOrder().map((p) => normaliseText(texts.get(p.recordId)!))).size;
        assert.ok(expected.length < exactOnly, 'TF-IDF finds duplicates exact matching does not');
      }
      // The pair built for it: different texts, cosine above 0.9 within the version's vocabulary.
      const [, , near1, near2] = inMarginOrder();
      const c = cosine(vectorOf(texts.get(near1!.recordId)!), vectorOf(texts.get(near2!.recordId)!));
      assert.ok(c >= 0.9 && c < 1 - 1e-6, `cosine ${c}`);
    });

    it('drift slices of text: length in characters, and the out-of-vocabulary rate with the version vocabulary', async () => {
      const length = await build(scientist, {
        ...textBase(),
        strategy: 'drift',
        filter: { slice: { feature: 'length', min: 30, max: 45 } },
        size: 10_000,
      });
      const expectedLength = inMarginOrder().filter((p) => {
        const l = [...texts.get(p.recordId)!].length;
        return l >= 30 && l < 45;
      });
      assert.ok(expectedLength.length > 3);
      assert.deepEqual(ids(length.items), ids(expectedLength));

      const oov = await build(scientist, {
        ...textBase(),
        strategy: 'drift',
        filter: { slice: { feature: 'out_of_vocabulary', min: 0.1 } },
        size: 10_000,
      });
      const rate = (text: string) => {
        const tokens = tokenize(text);
        return tokens.length ? tokens.filter((t) => !vocabulary.index.has(t)).length / tokens.length : 0;
      };
      const expectedOov = inMarginOrder().filter((p) => rate(texts.get(p.recordId)!) >= 0.1);
      assert.ok(expectedOov.length >= 2, 'the rows with unseen words');
      assert.deepEqual(ids(oov.items), ids(expectedOov));
    });
  });
});
