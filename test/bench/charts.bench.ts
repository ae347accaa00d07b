// `npm run bench` (part): the console's charts at a million records. Generates a 1,000,000-row tabular
// dataset, trains a model on it, scores every record (a million predictions), then times the dashboard
// API of each role and the Charts actions through HTTP: uncached (CHARTS_CACHE_SECONDS=0, every view
// aggregates in Postgres) and cached. p50 and p95 of 10 calls after 2 warm-up calls. Target: 1 s uncached.
import { MlModel, sequelizeOf } from '../../models/index.js';
import type { Role } from '../../models/enums.js';
import { chartCache } from '../../src/charts/chart-cache.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { queueScoring } from '../../src/scoring/queue-scoring.js';
import { saveUser } from '../../src/users/save-user.js';
import { HttpSession, serveWebApp } from '../support/console-server.js';
import { waitForJob } from '../support/jobs.js';
import { benchDatabase } from './bench-database.js';
import { latency } from './latency.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 1_000_000);
const CALLS = 10;

const time = (work: () => Promise<unknown>) => latency(work, CALLS, 2);

const db = await benchDatabase(10);
try {
  const system = { type: 'system' } as const;
  const generated = await generateDataset(system, {
    name: 'charts-1m',
    rows: ROWS,
    task: 'tabular-classification',
    seed: 5,
  });
  await sequelizeOf().query('ANALYZE records');
  const model = await MlModel.create({
    name: 'charts-bench',
    datasetId: generated.datasetId,
    task: 'tabular-classification',
    description: null,
    createdById: null,
  });
  const trained = await trainModel(system, { model: model.name, maxIterations: 5 });
  await trainModel(system, { model: model.name, maxIterations: 10 });
  await promoteAlias(system, { versionId: trained.version.id, alias: 'production' });
  await startQueue(db.url);
  await startWorker();
  const { job } = await queueScoring(system, { model: model.name });
  const scored = await waitForJob(job.id, undefined, 600_000);
  if (scored.status !== 'succeeded') throw new Error(`scoring ${scored.status}: ${scored.error}`);
  await sequelizeOf().query('ANALYZE record_predictions');

  const web = await serveWebApp(db);
  const password = 'violet trombone cabinet lantern 2026';
  const sessions = {} as Record<Role, HttpSession>;
  for (const role of ['admin', 'data_scientist', 'content_manager', 'auditor'] as const) {
    const email = `${role.replace('_', '-')}@example.com`;
    await saveUser(system, { email, role, password });
    sessions[role] = new HttpSession(web.baseUrl);
    await sessions[role].login(email, password);
  }
  const get = (http: HttpSession, path: string) => async () => {
    const response = await http.api(path);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    await response.arrayBuffer();
  };
  const views = {
    dashboardAdmin: get(sessions.admin, `/dashboard?dataset=${generated.datasetId}&model=${model.id}`),
    dashboardDataScientist: get(sessions.data_scientist, `/dashboard?dataset=${generated.datasetId}&model=${model.id}`),
    dashboardContentManager: get(sessions.content_manager, `/dashboard?dataset=${generated.datasetId}`),
    dashboardAuditor: get(sessions.auditor, `/dashboard?dataset=${generated.datasetId}&model=${model.id}`),
    datasetChartsAction: get(sessions.data_scientist, `/resources/datasets/records/${generated.datasetId}/charts`),
    modelChartsAction: get(sessions.data_scientist, `/resources/models/records/${model.id}/charts`),
  };
  const uncached: Record<string, { p50Ms: number; p95Ms: number }> = {};
  const cached: Record<string, { p50Ms: number; p95Ms: number }> = {};
  chartCache.configure(0);
  for (const [name, view] of Object.entries(views)) uncached[name] = await time(view);
  chartCache.configure(30);
  for (const [name, view] of Object.entries(views)) cached[name] = await time(view);
  await web.stop();
  await stopWorker();
  await stopQueue();
  console.log(
    JSON.stringify(
      {
        benchmark: 'charts-at-scale',
        when: new Date().toISOString(),
        machine: machine(),
        records: ROWS,
        predictions: (scored.result as { scored?: number } | null)?.scored ?? null,
        note: 'HTTP time of the console API answer (the aggregates); chart.js draws them in the browser in a few ms.',
        uncached,
        cached,
        targetMs: 1000,
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
}
