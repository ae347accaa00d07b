// `npm run bench` (part): building review queues over a million scored records. Generates a
// 1,000,000-row tabular dataset, trains two versions, scores every record with the first (scoring
// writes each prediction's margin and entropy), then times the `review` job's work (buildReviewQueue,
// called directly) for each strategy: 200 items, and 1,000 with exact dedupe. Median of 3 runs after
// one warm-up. Then the pages of working one queue: its page, a reviewer's claim, a label and the next
// claim.
import { QueryTypes } from 'sequelize';
import { MlModel, sequelizeOf, User } from '../../models/index.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { trainModel } from '../../src/ml/train-model.js';
import { buildReviewQueue } from '../../src/review/build-queue.js';
import { claimItem } from '../../src/review/claim-item.js';
import { createReviewQueue } from '../../src/review/create-queue.js';
import { labelItem } from '../../src/review/label-item.js';
import { reviewQueueDetail } from '../../src/review/queue-progress.js';
import { saveUser } from '../../src/users/save-user.js';
import { queueScoring } from '../../src/scoring/queue-scoring.js';
import { waitForJob } from '../support/jobs.js';
import { benchDatabase } from './bench-database.js';
import { latency } from './latency.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);

const db = await benchDatabase(10);
try {
  const system = { type: 'system' } as const;
  const generated = await generateDataset(system, {
    name: 'review-1m',
    rows: ROWS,
    task: 'tabular-classification',
    seed: 7,
  });
  const model = await MlModel.create({
    name: 'review-bench',
    datasetId: generated.datasetId,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const version = (await trainModel(system, { model: model.name, maxIterations: 5 })).version;
  const compare = (await trainModel(system, { model: model.name, maxIterations: 1 })).version;
  await startQueue(db.url);
  await startWorker();
  const { job } = await queueScoring(system, { model: model.name, version: version.version });
  const scored = await waitForJob(job.id, undefined, 900_000);
  if (scored.status !== 'succeeded') throw new Error(`scoring ${scored.status}: ${scored.error}`);
  await stopWorker(); // the queues' own jobs stay queued: the benchmark runs their work itself
  await sequelizeOf().query('ANALYZE record_predictions');
  const [features] = await sequelizeOf().query<{ name: string }>(
    `SELECT f->>'name' AS name FROM datasets, jsonb_array_elements(feature_schema) f
      WHERE id = :id AND f->>'type' = 'number' LIMIT 1`,
    { replacements: { id: generated.datasetId }, type: QueryTypes.SELECT },
  );

  const base = { datasetId: generated.datasetId, modelVersionId: version.id };
  const cases: Record<string, Parameters<typeof createReviewQueue>[1]> = {
    leastMargin200: { ...base, strategy: 'least_margin', size: 200 },
    highestEntropy200: { ...base, strategy: 'highest_entropy', size: 200 },
    misclassified200: { ...base, strategy: 'misclassified', size: 200 },
    random200: { ...base, strategy: 'random', size: 200 },
    leastMarginTest200: { ...base, strategy: 'least_margin', size: 200, filter: { split: 'test' } },
    leastMarginExactDedupe1000: { ...base, strategy: 'least_margin', size: 1_000, filter: { dedupe: 'exact' } },
    disagreement200: { ...base, strategy: 'disagreement', compareVersionId: compare.id, size: 200 },
    ...(features
      ? {
          driftSlice200: {
            ...base,
            strategy: 'drift',
            size: 200,
            filter: { slice: { feature: features.name, min: 0 } },
          },
        }
      : {}),
  };
  const results: Record<string, { p50Ms: number; p95Ms: number; size: number; examined: number }> = {};
  for (const [name, input] of Object.entries(cases)) {
    let last = { size: 0, examined: 0 };
    const timing = await latency(
      async () => {
        const created = await createReviewQueue(system, input);
        last = await buildReviewQueue(
          system,
          { queueId: created.queue.id, size: input.size ?? 200 },
          { jobId: created.jobId, progress: async () => undefined },
        );
      },
      3,
      1,
    );
    results[name] = { ...timing, size: last.size, examined: last.examined };
  }
  // Working a queue at a million scored records: its page (progress and agreement), a reviewer's
  // page load (claim: the item held, else the next free one) and one label (an audited edit of the
  // record) followed by the next claim, as the labeling page does. Services called directly (no HTTP).
  await saveUser(system, {
    email: 'bench-reviewer@example.com',
    role: 'data_scientist',
    password: 'bench reviewer passphrase 2026',
  });
  const person = (await User.findOne({ where: { email: 'bench-reviewer@example.com' } }))!;
  const reviewer = { type: 'user', id: person.id, email: person.email, role: person.role } as const;
  const worked = await createReviewQueue(system, { ...base, strategy: 'least_margin', size: 400 });
  await buildReviewQueue(
    system,
    { queueId: worked.queue.id, size: 400 },
    { jobId: worked.jobId, progress: async () => undefined },
  );
  const queuePage = await latency(() => reviewQueueDetail(reviewer, worked.queue.id), 50, 5);
  const claimPage = await latency(() => claimItem(reviewer, worked.queue.id), 50, 5);
  const labelAndNext = await latency(
    async () => {
      const work = await claimItem(reviewer, worked.queue.id);
      await labelItem(reviewer, worked.queue.id, work.item!.position, {
        label: work.item!.record.label ?? work.queue.labels[0]!,
      });
    },
    200,
    5,
  );
  await stopQueue();
  console.log(
    JSON.stringify(
      {
        benchmark: 'review-queue-build',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        predictions: (scored.result as { scored?: number } | null)?.scored ?? null,
        note: "Time of the review job's work (choose, dedupe, write items), without the queue wait; includes creating the queue row.",
        results,
        working: {
          note: 'A 400-item least-margin queue over the same million scored records; services called in process.',
          queuePage,
          claim: claimPage,
          labelAndNextClaim: labelAndNext,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
}
