import { Counter, Gauge, Histogram } from 'prom-client';
import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { JobKind } from '../../models/enums.js';
import { sequelizeOf } from '../../models/index.js';
import { QUEUE_SCHEMA, RETRAIN_QUEUE } from '../jobs/queue.js';
import { logger } from '../platform/logger.js';
import { METRIC_PREFIX, registry } from './registry.js';

/*
 * Jobs run in worker processes (`npm start` forks one; more run anywhere), while /metrics is served
 * by web processes. Counters kept in a worker's memory would be invisible to the scrape, lost when
 * the worker restarts, and split across workers. So job metrics are read at scrape time from what
 * every process shares: our `jobs` table (status, kind, started_at, finished_at) and pg-boss's job
 * table. `modeldesk_jobs_total` is a true counter because a finished job's row keeps its final
 * status (rows are not deleted); every web process reports the same cluster-wide values, so
 * aggregate them with max(), not sum(). Cost: one aggregate over `jobs` and one over pg-boss's live
 * jobs (index `job_i14`) per scrape, shared by the metrics below.
 */

const FINISHED = ['succeeded', 'failed', 'cancelled'] as const;
const UNFINISHED = ['queued', 'running'] as const;
/** pg-boss states of jobs not yet finished: waiting (`created`), waiting to retry, being worked on. */
const QUEUE_STATES = ['created', 'retry', 'active'] as const;
const QUEUES = [...JobKind.options, RETRAIN_QUEUE];
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 21_600] as const;

const count = z.coerce.number().int().nonnegative();
const JobRow = z.object({
  kind: z.string(),
  status: z.string(),
  jobs: count,
  timed: count,
  seconds: z.coerce.number().nonnegative(),
  buckets: z.array(count).length(DURATION_BUCKETS.length),
});
type JobRow = z.infer<typeof JobRow>;
const QueueRow = z.object({ name: z.string(), state: z.string(), jobs: count });

// Bucket bounds are constants of this file, so writing them into the statement is safe.
const JOBS_SQL = `
  SELECT kind::text AS kind, status::text AS status, count(*) AS jobs, count(d.seconds) AS timed,
         coalesce(sum(d.seconds), 0) AS seconds,
         ARRAY[${DURATION_BUCKETS.map((le) => `count(*) FILTER (WHERE d.seconds <= ${Number(le)})`).join(', ')}] AS buckets
  FROM jobs
  CROSS JOIN LATERAL (SELECT greatest(0, extract(epoch FROM finished_at - started_at)) AS seconds) d
  GROUP BY kind, status`;
const QUEUE_SQL = `
  SELECT name, state::text AS state, count(*) AS jobs FROM ${QUEUE_SCHEMA}.job
  WHERE state IN (${QUEUE_STATES.map((s) => `'${s}'`).join(', ')}) GROUP BY name, state`;

/**
 * The metrics below share one query per scrape: registry.metrics() starts every collector in the
 * same tick, so they join the query in flight; the next scrape runs a new one (never stale data).
 */
function sharedPerScrape<T>(name: string, load: () => Promise<T>): () => Promise<T | undefined> {
  let inFlight: Promise<T | undefined> | undefined;
  return () =>
    (inFlight ??= load()
      .catch((error: unknown) => {
        logger.warn({ err: error, collector: name }, 'metrics: could not read; its series are left out of this scrape');
        return undefined;
      })
      .finally(() => {
        inFlight = undefined;
      }));
}

const jobSnapshot = sharedPerScrape('jobs', async () =>
  z.array(JobRow).parse(await sequelizeOf().query(JOBS_SQL, { type: QueryTypes.SELECT })),
);
const queueSnapshot = sharedPerScrape('queue', async () =>
  z.array(QueueRow).parse(await sequelizeOf().query(QUEUE_SQL, { type: QueryTypes.SELECT })),
);

const jobsTotal = new Counter<'kind' | 'status'>({
  name: `${METRIC_PREFIX}jobs_total`,
  help: 'Background jobs finished, by kind and final status (succeeded, failed, cancelled); cluster-wide, from the jobs table.',
  labelNames: ['kind', 'status'],
  registers: [registry],
  async collect() {
    const rows = await jobSnapshot();
    jobsTotal.reset();
    if (!rows) return;
    for (const kind of JobKind.options) for (const status of FINISHED) jobsTotal.inc({ kind, status }, 0);
    for (const row of rows)
      if (isOneOf(FINISHED, row.status)) jobsTotal.inc({ kind: row.kind, status: row.status }, row.jobs);
  },
});

const jobsUnfinished = new Gauge<'kind' | 'status'>({
  name: `${METRIC_PREFIX}jobs_unfinished`,
  help: 'Background jobs now queued or running, by kind and status; cluster-wide, from the jobs table.',
  labelNames: ['kind', 'status'],
  registers: [registry],
  async collect() {
    const rows = await jobSnapshot();
    jobsUnfinished.reset();
    if (!rows) return;
    for (const kind of JobKind.options) for (const status of UNFINISHED) jobsUnfinished.set({ kind, status }, 0);
    for (const row of rows)
      if (isOneOf(UNFINISHED, row.status)) jobsUnfinished.set({ kind: row.kind, status: row.status }, row.jobs);
  },
});

const queueDepth = new Gauge<'kind' | 'state'>({
  name: `${METRIC_PREFIX}queue_depth`,
  help: 'Jobs in the pg-boss queue by queue (job kind) and state: created (waiting), retry (waiting to retry), active (being worked on).',
  labelNames: ['kind', 'state'],
  registers: [registry],
  async collect() {
    const rows = await queueSnapshot();
    queueDepth.reset();
    if (!rows) return;
    for (const kind of QUEUES) for (const state of QUEUE_STATES) queueDepth.set({ kind, state }, 0);
    for (const row of rows) queueDepth.set({ kind: row.name, state: row.state }, row.jobs);
  },
});

type DurationLabel = 'kind' | 'status';

/**
 * A histogram whose buckets are counted by Postgres at scrape time, not observed in this process.
 * prom-client has no way to set a histogram's buckets, so this one replaces what it exposes
 * (`getForPromString`, which both the text output and `get()` read); the format (cumulative
 * `_bucket{le}`, `+Inf`, `_sum`, `_count`) is prom-client's own.
 */
class JobDurationHistogram extends Histogram<DurationLabel> {
  constructor(private readonly settings: { name: string; help: string }) {
    super({ ...settings, labelNames: ['kind', 'status'], buckets: [...DURATION_BUCKETS], registers: [registry] });
  }

  async getForPromString() {
    const rows = ((await jobSnapshot()) ?? []).filter((row) => row.timed > 0 && isOneOf(FINISHED, row.status));
    const { name, help } = this.settings;
    return { name, help, type: 'histogram', aggregator: 'sum', values: rows.flatMap(histogramValues(name)) };
  }
}

function histogramValues(name: string) {
  return (row: JobRow) => {
    const labels = { kind: row.kind, status: row.status };
    const value = (suffix: string, extra: Record<string, string | number>, v: number) => ({
      metricName: `${name}_${suffix}`,
      labels: { ...labels, ...extra },
      sharedLabels: {},
      value: v,
    });
    return [
      ...DURATION_BUCKETS.map((le, i) => value('bucket', { le }, row.buckets[i]!)),
      value('bucket', { le: '+Inf' }, row.timed),
      value('sum', {}, row.seconds),
      value('count', {}, row.timed),
    ];
  };
}

new JobDurationHistogram({
  name: `${METRIC_PREFIX}job_duration_seconds`,
  help: 'Time from a finished job starting (first attempt) to finishing, by kind and final status; jobs cancelled before they started are not in it. Cluster-wide, from the jobs table.',
});

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
