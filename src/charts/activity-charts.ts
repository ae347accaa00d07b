import { QueryTypes, type Sequelize } from 'sequelize';
import { chartCache, type Cached } from './chart-cache.js';

export interface DailyPredictions {
  day: string;
  /** Records scored by batch jobs that finished that day. */
  batch: number;
  /** Instances answered by the inference API that day (all web processes). */
  api: number;
}

export interface AuditActivity {
  days: string[];
  /** Events per day per action (the busiest actions; the rest summed as "other"). */
  byAction: Array<{ key: string; counts: number[] }>;
  /** Events per day per actor (the busiest actors; the rest summed as "others"). */
  byActor: Array<{ key: string; counts: number[] }>;
  /** Refused (denied) actions per day, a summary counted as the refusals it stands for; failed actions per day. */
  refused: number[];
  failed: number[];
  total: number;
}

export interface ImportOutcome {
  jobId: number;
  status: string;
  mode: string;
  fileName: string | null;
  dataset: string | null;
  rows: number | null;
  inserts: number | null;
  updates: number | null;
  invalidRows: number | null;
  error: string | null;
  finishedAt: string | null;
  createdBy: string | null;
}

const PREDICTION_DAYS = 30;
const AUDIT_DAYS = 30;
const SERIES = 8;
const RECENT_IMPORTS = 10;
// Jobs, audit events and inference stats are not announced (they change all the time): the TTL bounds them.
const TTL_ONLY = [] as const;

/** Predictions per day over the last 30 days, batch and API, optionally for one model. */
export async function predictionsPerDay(sequelize: Sequelize, modelId?: number): Promise<Cached<DailyPredictions[]>> {
  return chartCache.get(`predictions-per-day:${modelId ?? 'all'}`, TTL_ONLY, async () => {
    const rows = await sequelize.query<{ day: string; batch: string; api: string }>(
      `WITH days AS (
         SELECT generate_series(date_trunc('day', now()) - make_interval(days => :days - 1), date_trunc('day', now()), interval '1 day') AS day
       ), batch AS (
         SELECT date_trunc('day', j.finished_at) AS day, sum((j.result ->> 'scored')::bigint) AS n
           FROM jobs j
          WHERE j.kind = 'score' AND j.status = 'succeeded' AND j.finished_at >= now() - make_interval(days => :days)
            ${modelId === undefined ? '' : "AND j.params ->> 'model' = (SELECT name FROM models WHERE id = :modelId)"}
          GROUP BY 1
       ), api AS (
         SELECT date_trunc('day', s.bucket) AS day, sum(s.count) AS n
           FROM inference_stats s ${modelId === undefined ? '' : 'JOIN model_versions v ON v.id = s.model_version_id AND v.model_id = :modelId'}
          WHERE s.bucket >= now() - make_interval(days => :days)
          GROUP BY 1
       )
       SELECT to_char(days.day, 'YYYY-MM-DD') AS day, COALESCE(batch.n, 0) AS batch, COALESCE(api.n, 0) AS api
         FROM days LEFT JOIN batch USING (day) LEFT JOIN api USING (day) ORDER BY days.day`,
      { replacements: { days: PREDICTION_DAYS, modelId: modelId ?? null }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ day: r.day, batch: Number(r.batch), api: Number(r.api) }));
  });
}

/**
 * What happened in the audit log per day over the last 30 days: by action, by actor, and how many
 * actions were refused or failed. One GROUP BY over the `at` index range; the top series are chosen in Node
 * from the (small) grouped rows.
 */
export async function auditActivity(sequelize: Sequelize): Promise<Cached<AuditActivity>> {
  return chartCache.get('audit-activity', TTL_ONLY, async () => {
    // A summary event stands for `selection.repeatedRefusals` refusals (src/audit/record-refusal.ts).
    const rows = await sequelize.query<{
      day: string;
      action: string;
      actor: string;
      outcome: string;
      events: string;
      refusals: string;
    }>(
      `SELECT to_char(date_trunc('day', at), 'YYYY-MM-DD') AS day, action, actor_label AS actor, outcome::text AS outcome, count(*) AS events,
              sum(CASE WHEN jsonb_typeof(selection->'repeatedRefusals') = 'number' THEN (selection->>'repeatedRefusals')::numeric ELSE 1 END) AS refusals
         FROM audit_events
        WHERE at >= date_trunc('day', now()) - make_interval(days => :days - 1)
        GROUP BY 1, 2, 3, 4`,
      { replacements: { days: AUDIT_DAYS }, type: QueryTypes.SELECT },
    );
    const days = lastDays(AUDIT_DAYS);
    const index = new Map(days.map((d, i) => [d, i]));
    const refused = new Array<number>(days.length).fill(0);
    const failed = new Array<number>(days.length).fill(0);
    const byAction = new Map<string, number[]>();
    const byActor = new Map<string, number[]>();
    let total = 0;
    for (const row of rows) {
      const i = index.get(row.day);
      if (i === undefined) continue;
      const n = Number(row.events);
      total += n;
      add(byAction, row.action, i, n, days.length);
      add(byActor, row.actor, i, n, days.length);
      if (row.outcome === 'denied') refused[i]! += Number(row.refusals);
      else if (row.outcome === 'failed') failed[i]! += n;
    }
    return { days, byAction: busiest(byAction, 'other'), byActor: busiest(byActor, 'others'), refused, failed, total };
  });
}

/** The last imports (dry runs and applies) with their counts, newest first; one user's only when `createdById` is given. */
export async function recentImports(sequelize: Sequelize, createdById?: number): Promise<Cached<ImportOutcome[]>> {
  return chartCache.get(`imports:${createdById ?? 'all'}`, TTL_ONLY, async () => {
    const rows = await sequelize.query<{
      id: string;
      status: string;
      params: Record<string, unknown>;
      result: Record<string, unknown> | null;
      error: string | null;
      finished_at: Date | null;
      dataset: string | null;
      created_by: string | null;
    }>(
      `SELECT j.id, j.status::text AS status, j.params, j.result, j.error, j.finished_at, d.name AS dataset, u.email AS created_by
         FROM jobs j
         LEFT JOIN datasets d ON d.id = (j.params ->> 'datasetId')::int
         LEFT JOIN users u ON u.id = j.created_by_id
        WHERE j.kind = 'import' ${createdById === undefined ? '' : 'AND j.created_by_id = :createdById'}
        ORDER BY j.id DESC LIMIT :limit`,
      { replacements: { createdById: createdById ?? null, limit: RECENT_IMPORTS }, type: QueryTypes.SELECT },
    );
    const count = (value: unknown) => (typeof value === 'number' ? value : null);
    return rows.map((r) => ({
      jobId: Number(r.id),
      status: r.status,
      mode: String(r.params.mode ?? r.result?.mode ?? 'dry-run'),
      fileName: typeof r.result?.fileName === 'string' ? r.result.fileName : null,
      dataset: r.dataset,
      rows: count(r.result?.rows),
      inserts: count(r.result?.inserts),
      updates: count(r.result?.updates),
      invalidRows: count(r.result?.invalidRows),
      error: r.error,
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      createdBy: r.created_by,
    }));
  });
}

function lastDays(count: number): string[] {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: count }, (_, i) =>
    new Date(today - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

function add(series: Map<string, number[]>, key: string, day: number, n: number, days: number): void {
  let counts = series.get(key);
  if (!counts) series.set(key, (counts = new Array<number>(days).fill(0)));
  counts[day]! += n;
}

/** The SERIES - 1 largest series by total, and the rest summed under `rest`. */
function busiest(series: Map<string, number[]>, rest: string): Array<{ key: string; counts: number[] }> {
  const sorted = [...series]
    .map(([key, counts]) => ({ key, counts, total: counts.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total);
  if (sorted.length <= SERIES) return sorted.map(({ key, counts }) => ({ key, counts }));
  const top = sorted.slice(0, SERIES - 1).map(({ key, counts }) => ({ key, counts }));
  const others = sorted
    .slice(SERIES - 1)
    .reduce((sum, s) => sum.map((v, i) => v + s.counts[i]!), new Array<number>(sorted[0]!.counts.length).fill(0));
  return [...top, { key: rest, counts: others }];
}
