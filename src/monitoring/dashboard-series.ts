import { QueryTypes, type Sequelize } from 'sequelize';
import { addHistograms, percentile } from './latency-histogram.js';

export interface RequestPoint {
  at: string;
  requests: number;
  errors: number;
}

export interface VersionLatency {
  version: string;
  predictions: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface PredictionPoint {
  at: string;
  version: string;
  predictions: number;
}

export interface JobOutcome {
  day: string;
  status: string;
  jobs: number;
}

/** Requests and server errors (5xx) over the last `hours`, in 10-minute bins, all web processes. */
export async function requestSeries(sequelize: Sequelize, hours = 24): Promise<RequestPoint[]> {
  const rows = await sequelize.query<{ at: Date; requests: number; errors: number }>(
    `SELECT date_bin('10 minutes', bucket, TIMESTAMPTZ '2000-01-01') AS at, sum(count)::int AS requests, sum(errors)::int AS errors
       FROM request_stats WHERE bucket >= now() - make_interval(hours => :hours)
      GROUP BY 1 ORDER BY 1`,
    { replacements: { hours }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    requests: Number(r.requests),
    errors: Number(r.errors),
  }));
}

/** Predictions per hour per model version, and each version's p50/p99 latency, over the last `hours`. */
export async function inferenceSeries(
  sequelize: Sequelize,
  hours = 24,
): Promise<{ points: PredictionPoint[]; latency: VersionLatency[] }> {
  const rows = await sequelize.query<{
    at: Date;
    name: string;
    version: number;
    count: number;
    errors: number;
    buckets: number[];
  }>(
    `SELECT date_trunc('hour', s.bucket) AS at, m.name, v.version, s.count, s.errors, s.latency_buckets AS buckets
       FROM inference_stats s JOIN model_versions v ON v.id = s.model_version_id JOIN models m ON m.id = v.model_id
      WHERE s.bucket >= now() - make_interval(hours => :hours)
      ORDER BY s.bucket`,
    { replacements: { hours }, type: QueryTypes.SELECT },
  );
  const perVersion = new Map<string, { predictions: number; errors: number; histogram: number[] }>();
  const perHour = new Map<string, PredictionPoint>();
  for (const row of rows) {
    const version = `${row.name} v${row.version}`;
    const entry = perVersion.get(version) ?? { predictions: 0, errors: 0, histogram: [] };
    entry.predictions += Number(row.count);
    entry.errors += Number(row.errors);
    addHistograms(entry.histogram, row.buckets ?? []);
    perVersion.set(version, entry);
    const at = new Date(row.at).toISOString();
    const key = `${at}|${version}`;
    const point = perHour.get(key) ?? { at, version, predictions: 0 };
    point.predictions += Number(row.count);
    perHour.set(key, point);
  }
  const latency = [...perVersion].map(([version, v]) => ({
    version,
    predictions: v.predictions,
    errors: v.errors,
    p50Ms: percentile(v.histogram, 0.5),
    p99Ms: percentile(v.histogram, 0.99),
  }));
  return { points: [...perHour.values()], latency: latency.sort((a, b) => b.predictions - a.predictions) };
}

/** Finished jobs per day and outcome over the last `days`, optionally only one creator's. */
export async function jobOutcomes(sequelize: Sequelize, days = 14, createdById?: number): Promise<JobOutcome[]> {
  const rows = await sequelize.query<{ day: Date; status: string; jobs: number }>(
    `SELECT date_trunc('day', finished_at) AS day, status::text AS status, count(*)::int AS jobs
       FROM jobs
      WHERE finished_at >= now() - make_interval(days => :days) ${createdById === undefined ? '' : 'AND created_by_id = :createdById'}
      GROUP BY 1, 2 ORDER BY 1`,
    { replacements: { days, createdById: createdById ?? null }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ day: new Date(r.day).toISOString().slice(0, 10), status: r.status, jobs: Number(r.jobs) }));
}
