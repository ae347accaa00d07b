// `npm run bench` (part, `--only=uncertainty`): margin and entropy at a million scored records.
// 1. Scoring end to end (a job in a separate worker process, as score.bench.ts) over 1,000,000 tabular
//    records, alternating BENCH_UNCERTAINTY_ROUNDS times (default 2) between the table as migrated
//    (the partial indexes of migration 20261208000200) and the table without them, on the same data:
//    what the indexes cost scoring (target: ≤ 10% slower), and the share of predictions they hold.
//    What the two columns alone cost the write is uncertainty-write.bench.ts's figure (the encoder
//    has no switch to leave them out).
// 2. The pages at 1,000,000 scored records, p50 / p95 of 40 calls through the console's own API and the
//    REST API: "least certain first" and "highest entropy first" within a version (first page and page
//    50, from the partial index), "most certain first" (a sort of the version's predictions), against
//    today's prediction filters in the same run (scored by version, predicted label, misclassified:
//    target "as fast").
import type { ChildProcess } from 'node:child_process';
import { QueryTypes } from 'sequelize';
import { Job, MlModel } from '../../models/index.js';
import { createApiKey } from '../../src/auth/api-keys/create-api-key.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { trainModel } from '../../src/ml/train-model.js';
import { queueScoring } from '../../src/scoring/queue-scoring.js';
import { saveUser } from '../../src/users/save-user.js';
import { startCli } from '../support/cli-process.js';
import { HttpSession, serveWebApp } from '../support/console-server.js';
import { benchDatabase } from './bench-database.js';
import { latency } from './latency.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_UNCERTAINTY_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_UNCERTAINTY_ROUNDS ?? 2);
const CALLS = 40;
const system = { type: 'system' } as const;

/** The indexes migration 20261208000200 creates, to drop and put back between runs. */
const INDEXES = {
  record_predictions_uncertain_margin_idx: '(model_version_id, margin, record_id) WHERE margin < 0.1',
  record_predictions_uncertain_entropy_idx: '(model_version_id, entropy, record_id) WHERE margin < 0.1',
} as const;

/**
 * BENCH_BEFORE_CLI: the CLI (dist/src/cli/main.js) of a build from before issue 22 (e.g. `git archive
 * 4564cf6` built with tsc), whose scoring writes the six columns of then: a third variant, "before",
 * run by that worker without the new indexes. Without it, the two variants of this build only.
 */
const BEFORE_CLI = process.env.BENCH_BEFORE_CLI;

const startWorker = async (url: string, main?: string): Promise<ChildProcess> =>
  (
    await startCli(
      ['worker'],
      { ...process.env, DATABASE_URL: url, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      'ready for',
      main ? { main } : {},
    )
  ).child;

async function finished(jobId: number): Promise<Job> {
  for (;;) {
    const job = (await Job.findByPk(jobId))!;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const db = await benchDatabase(10);
let worker: ChildProcess | undefined;
try {
  const generated = await generateDataset(system, {
    name: 'uncertainty-bench',
    rows: ROWS,
    task: 'tabular-classification',
    seed: 12,
  });
  await MlModel.create({
    name: 'uncertainty-bench',
    datasetId: generated.datasetId,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const trained = await trainModel(system, { model: 'uncertainty-bench', maxIterations: 3 });
  const versionId = trained.version.id;
  await db.sequelize.query('VACUUM ANALYZE records');
  await startQueue(db.url);
  const workers: Record<'ours' | 'before', ChildProcess | undefined> = {
    ours: await startWorker(db.url),
    before: undefined,
  };
  worker = workers.ours;

  const setIndexes = async (on: boolean) => {
    for (const [name, columns] of Object.entries(INDEXES)) {
      await db.sequelize.query(`DROP INDEX IF EXISTS ${name}`);
      if (on) await db.sequelize.query(`CREATE INDEX ${name} ON record_predictions ${columns}`);
    }
  };
  type Variant = 'withIndexes' | 'withoutIndexes' | 'beforeIssue22';
  const runs: Record<Variant, Array<{ rowsPerSecond: number; writeMs: number }>> = {
    withIndexes: [],
    withoutIndexes: [],
    beforeIssue22: [],
  };
  const variants: Variant[] = ['withoutIndexes', 'withIndexes', ...(BEFORE_CLI ? (['beforeIssue22'] as const) : [])];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Rotate which goes first, so none always follows another's leftovers.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const variant of order) {
      await db.sequelize.query('TRUNCATE record_predictions');
      await setIndexes(variant === 'withIndexes');
      await db.sequelize.query('CHECKPOINT');
      // One worker at a time listens: the job goes to the build being measured.
      const wanted = variant === 'beforeIssue22' ? 'before' : 'ours';
      const other = wanted === 'ours' ? 'before' : 'ours';
      const stopping = workers[other];
      if (stopping) {
        stopping.kill('SIGTERM');
        await new Promise((resolve) => stopping.once('exit', resolve));
        workers[other] = undefined;
      }
      workers[wanted] ??= await startWorker(db.url, wanted === 'before' ? BEFORE_CLI : undefined);
      worker = workers[wanted];
      const queued = await queueScoring(system, { model: 'uncertainty-bench', version: trained.version.version });
      const job = await finished(queued.job.id);
      if (job.status !== 'succeeded') throw new Error(`scoring job ${job.id} ${job.status}: ${job.error}`);
      const result = job.result as { rowsPerSecond: number; timingsMs: { writeMs: number } };
      runs[variant].push({ rowsPerSecond: result.rowsPerSecond, writeMs: result.timingsMs.writeMs });
    }
  }
  worker?.kill('SIGTERM');
  if (worker) await new Promise((resolve) => worker!.once('exit', resolve));
  worker = undefined;
  // Leave the table as migrated (the last run may have dropped them) and scored, then measure pages.
  const last = await db.sequelize.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'record_predictions_uncertain_margin_idx'",
    { plain: true, type: QueryTypes.SELECT },
  );
  if (Number(last?.n) === 0) await setIndexes(true);
  await db.sequelize.query('VACUUM ANALYZE record_predictions');
  const share = await db.sequelize.query<{ uncertain: number }>(
    'SELECT avg((margin < 0.1)::int)::float8 AS uncertain FROM record_predictions',
    { plain: true, type: QueryTypes.SELECT },
  );
  const scoring = {
    withIndexes: median(runs.withIndexes.map((r) => r.rowsPerSecond)),
    withoutIndexes: median(runs.withoutIndexes.map((r) => r.rowsPerSecond)),
    beforeIssue22: runs.beforeIssue22.length ? median(runs.beforeIssue22.map((r) => r.rowsPerSecond)) : null,
  };

  const web = await serveWebApp(db);
  const password = 'violet trombone cabinet lantern 2026';
  await saveUser(system, { email: 'scientist@example.com', role: 'data_scientist', password });
  const http = new HttpSession(web.baseUrl);
  await http.login('scientist@example.com', password);
  const { key } = await createApiKey(system, {
    ownerEmail: 'scientist@example.com',
    name: 'bench',
    scopes: ['records:read'],
  });
  const get = (path: string) => async () => {
    const response = await http.api(path);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  const rest = (path: string) => async () => {
    const response = await fetch(`${web.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
  const time = (work: () => Promise<unknown>) => latency(work, CALLS, 5);
  const list = '/resources/records/actions/list';
  const byVersion = `filters.scoredByVersionId=${versionId}`;
  const today = {
    scoredByVersion: await time(get(`${list}?${byVersion}`)),
    predictedLabel: await time(get(`${list}?filters.predictedLabel=positive`)),
    misclassified: await time(get(`${list}?filters.misclassified=true`)),
    scoreRange: await time(get(`${list}?filters.score~~from=0.4&filters.score~~to=0.6`)),
  };
  // The REST API's page 50 of "least certain first": the record after which it starts.
  const after = await db.sequelize.query<{ record_id: string }>(
    `SELECT record_id FROM record_predictions WHERE model_version_id = :versionId
      ORDER BY margin, record_id OFFSET 49 * 50 LIMIT 1`,
    { replacements: { versionId }, plain: true, type: QueryTypes.SELECT },
  );
  const uncertainty = {
    leastCertainFirst: await time(get(`${list}?${byVersion}&sortBy=margin&direction=asc`)),
    leastCertainFirstPage50: await time(get(`${list}?${byVersion}&sortBy=margin&direction=asc&page=50`)),
    highestEntropyFirst: await time(get(`${list}?${byVersion}&sortBy=entropy&direction=desc`)),
    mostCertainFirstBySort: await time(get(`${list}?${byVersion}&sortBy=margin&direction=desc`)),
    leastCertainMisclassified: await time(
      get(`${list}?${byVersion}&filters.misclassified=true&sortBy=margin&direction=asc`),
    ),
    marginAtMost0_1: await time(get(`${list}?filters.margin~~to=0.1`)),
    restLeastCertainFirst: await time(rest(`/records?scoredByVersionId=${versionId}&order=margin`)),
    restLeastCertainPage50: await time(
      rest(`/records?scoredByVersionId=${versionId}&order=margin&after=${after?.record_id ?? 0}`),
    ),
    restHighestEntropyFirst: await time(rest(`/records?scoredByVersionId=${versionId}&order=-entropy`)),
  };
  await web.stop();
  console.log(
    JSON.stringify(
      {
        benchmark: 'uncertainty',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        scoring: {
          ...scoring,
          withIndexesOverWithout: Number((scoring.withIndexes / scoring.withoutIndexes).toFixed(3)),
          withIndexesOverBeforeIssue22:
            scoring.beforeIssue22 && Number((scoring.withIndexes / scoring.beforeIssue22).toFixed(3)),
          uncertainShare: Number((share?.uncertain ?? 0).toFixed(3)),
          runs,
          target: 'as migrated (columns + indexes) ≥ 0.9 × before issue 22',
        },
        pagesAt1M: { todaysPredictionFilters: today, uncertainty, calls: CALLS, targetP50Ms: 30 },
      },
      null,
      2,
    ),
  );
} finally {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker!.once('exit', resolve));
  }
  await stopQueue();
  await db.close();
}
