import { monitorEventLoopDelay } from 'node:perf_hooks';
import { QueryTypes, type Sequelize } from 'sequelize';
import { pendingMigrations } from '../db/migrate.js';

export type HealthLevel = 'ok' | 'warning' | 'error';

export interface HealthCheck {
  id: string;
  title: string;
  level: HealthLevel;
  /** The measured value, in words (e.g. "2 ms", "3 queued, oldest 4 min"). */
  value: string;
  /** What it means and, when not ok, what to do. */
  detail: string;
}

export interface SystemHealth {
  checkedAt: string;
  checks: HealthCheck[];
  /** Connections to Postgres by the program that opened them (web sessions, queue, listeners, workers). */
  connections: Array<{ application: string; count: number }>;
  /** The web and worker processes `npm start` supervises (none when run otherwise, e.g. `cli web` under systemd). */
  processes: SupervisedProcess[];
}

export interface SupervisedProcess {
  /** The `npm start` process (host:pid) that runs it. */
  supervisor: string;
  name: string;
  kind: 'web' | 'worker';
  pid: number | null;
  /** starting, running, restarting (waiting out its backoff), stopping; 'not reporting' when its supervisor went silent. */
  state: string;
  restarts: number;
  lastRestartAt: string | null;
  lastExit: string | null;
  startedAt: string | null;
}

/** A supervisor refreshes its rows every 15 s; older than this, it is presumed gone. */
const SUPERVISOR_SILENT_SECONDS = 60;

const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

/**
 * The admin's system health panel: live checks (never cached) of what keeps ModelDesk up — Postgres
 * round trip and size, migrations, the job queue (backlog, oldest waiting job, running jobs whose worker
 * stopped heart-beating), failed jobs and server errors of the last hour, and this web process's memory
 * and event-loop delay. Each check says what is wrong and what to do.
 */
export async function systemHealth(sequelize: Sequelize, heartbeatSeconds: number): Promise<SystemHealth> {
  const started = performance.now();
  await sequelize.query('SELECT 1');
  const roundTripMs = performance.now() - started;
  const [pending, [queue], [errors], connections, [size], processes] = await Promise.all([
    pendingMigrations(sequelize).catch(() => null),
    sequelize.query<{
      queued: string;
      running: string;
      oldest_queued_s: number | null;
      stale: string;
      failed_hour: string;
    }>(
      `SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
              count(*) FILTER (WHERE status = 'running') AS running,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'queued' AND run_after <= now()))::float8 AS oldest_queued_s,
              count(*) FILTER (WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => :stale)) AS stale,
              count(*) FILTER (WHERE status = 'failed' AND finished_at >= now() - interval '1 hour') AS failed_hour
         FROM jobs WHERE status IN ('queued', 'running') OR finished_at >= now() - interval '1 hour'`,
      { replacements: { stale: heartbeatSeconds * 2 }, type: QueryTypes.SELECT },
    ),
    sequelize.query<{ requests: string; errors: string }>(
      `SELECT COALESCE(sum(count), 0) AS requests, COALESCE(sum(errors), 0) AS errors FROM request_stats WHERE bucket >= now() - interval '1 hour'`,
      { type: QueryTypes.SELECT },
    ),
    sequelize.query<{ application: string; count: string }>(
      `SELECT COALESCE(NULLIF(application_name, ''), 'other') AS application, count(*) AS count
         FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
        GROUP BY 1 ORDER BY 2 DESC`,
      { type: QueryTypes.SELECT },
    ),
    sequelize.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes', {
      type: QueryTypes.SELECT,
    }),
    supervisedProcesses(sequelize),
  ]);
  const checks: HealthCheck[] = [];
  checks.push({
    id: 'database',
    title: 'Postgres',
    level: roundTripMs < 50 ? 'ok' : 'warning',
    value: `${roundTripMs.toFixed(1)} ms round trip · ${megabytes(Number(size?.bytes ?? 0))}`,
    detail:
      roundTripMs < 50
        ? 'Reachable from this web process.'
        : "Slow answers: check the database host's load and the network between it and this process.",
  });
  checks.push(
    pending === null
      ? {
          id: 'migrations',
          title: 'Schema',
          level: 'warning',
          value: 'unknown',
          detail: 'The migration table could not be read: run `npm run cli -- migrate` and check the log.',
        }
      : pending.length === 0
        ? { id: 'migrations', title: 'Schema', level: 'ok', value: 'current', detail: 'Every migration is applied.' }
        : {
            id: 'migrations',
            title: 'Schema',
            level: 'error',
            value: `${pending.length} pending`,
            detail: 'Run `npm run cli -- migrate` (or restart with `npm start`): /readyz answers 503 until then.',
          },
  );
  const queued = Number(queue?.queued ?? 0);
  const oldest = queue?.oldest_queued_s ?? null;
  checks.push({
    id: 'queue',
    title: 'Job queue',
    level: oldest !== null && oldest > 300 ? 'warning' : 'ok',
    value: `${queued} queued${oldest === null ? '' : `, oldest ${duration(oldest)}`} · ${Number(queue?.running ?? 0)} running`,
    detail:
      oldest !== null && oldest > 300
        ? 'Jobs wait for a worker: start one (`npm run cli -- worker`) or more (`npm start -- --workers N`).'
        : 'Workers pick jobs up as they come.',
  });
  const stale = Number(queue?.stale ?? 0);
  checks.push({
    id: 'workers',
    title: 'Running jobs',
    level: stale > 0 ? 'warning' : 'ok',
    value: stale > 0 ? `${stale} without heartbeat` : 'all heart-beating',
    detail:
      stale > 0
        ? `A worker stopped reporting for over ${heartbeatSeconds * 2} s: its job is retried by another worker once the queue notices; check that worker's host.`
        : `Every running job's worker reported within ${heartbeatSeconds * 2} s.`,
  });
  const failedHour = Number(queue?.failed_hour ?? 0);
  checks.push({
    id: 'failed-jobs',
    title: 'Failed jobs (1 h)',
    level: failedHour > 0 ? 'warning' : 'ok',
    value: String(failedHour),
    detail:
      failedHour > 0
        ? 'Open Operations → Jobs, filter by status "failed" and read each error.'
        : 'No job failed in the last hour.',
  });
  const requests = Number(errors?.requests ?? 0);
  const serverErrors = Number(errors?.errors ?? 0);
  const rate = requests > 0 ? serverErrors / requests : 0;
  checks.push({
    id: 'server-errors',
    title: 'Server errors (1 h)',
    level: rate > 0.05 ? 'error' : rate > 0.01 ? 'warning' : 'ok',
    value: `${serverErrors} of ${requests.toLocaleString('en')} requests (${(rate * 100).toFixed(2)}%)`,
    detail:
      rate > 0.01
        ? "HTTP 5xx answers: search the web processes' logs for level 50 with their request ids."
        : 'All web processes, from the per-minute request stats.',
  });
  if (processes.length > 0) checks.push(processCheck(processes));
  const rss = process.memoryUsage().rss;
  const p99LoopMs = loopDelay.percentile(99) / 1e6;
  loopDelay.reset();
  checks.push({
    id: 'process',
    title: 'This web process',
    level: p99LoopMs > 200 ? 'warning' : 'ok',
    value: `pid ${process.pid} · ${megabytes(rss)} RSS · up ${duration(process.uptime())} · event loop p99 ${p99LoopMs.toFixed(1)} ms`,
    detail:
      p99LoopMs > 200
        ? 'The event loop stalls: something runs long on the web thread; see /metrics (modeldesk_nodejs_eventloop_lag_seconds).'
        : 'The process answering this page (each web process has its own).',
  });
  return {
    checkedAt: new Date().toISOString(),
    checks,
    connections: connections.map((c) => ({ application: c.application, count: Number(c.count) })),
    processes,
  };
}

/** What `npm start`'s supervisors last reported (src/cli/supervisor.ts); [] before the table exists. */
async function supervisedProcesses(sequelize: Sequelize): Promise<SupervisedProcess[]> {
  const rows = await sequelize
    .query<{
      supervisor: string;
      name: string;
      kind: 'web' | 'worker';
      pid: number | null;
      state: string;
      restarts: number;
      last_restart_at: Date | null;
      last_exit: string | null;
      started_at: Date | null;
      silent: boolean;
    }>(
      `SELECT supervisor, name, kind, pid, state, restarts, last_restart_at, last_exit, started_at,
              updated_at < now() - make_interval(secs => :silent) AS silent
         FROM supervised_processes ORDER BY supervisor, kind, name`,
      { replacements: { silent: SUPERVISOR_SILENT_SECONDS }, type: QueryTypes.SELECT },
    )
    .catch(() => []);
  return rows.map((r) => ({
    supervisor: r.supervisor,
    name: r.name,
    kind: r.kind,
    pid: r.pid,
    state: r.silent ? 'not reporting' : r.state,
    restarts: Number(r.restarts),
    lastRestartAt: r.last_restart_at ? new Date(r.last_restart_at).toISOString() : null,
    lastExit: r.last_exit,
    startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
  }));
}

function processCheck(processes: SupervisedProcess[]): HealthCheck {
  const down = processes.filter((p) => p.state !== 'running');
  const restarted = processes.filter((p) => p.restarts > 0);
  const recent = restarted.filter((p) => p.lastRestartAt && Date.now() - Date.parse(p.lastRestartAt) < 3_600_000);
  const restarts = restarted.reduce((sum, p) => sum + p.restarts, 0);
  return {
    id: 'processes',
    title: 'Supervised processes',
    level: down.some((p) => p.state === 'not reporting' || p.state === 'restarting')
      ? 'error'
      : down.length > 0 || recent.length > 0
        ? 'warning'
        : 'ok',
    value: `${processes.length - down.length} of ${processes.length} running · ${restarts} restart${restarts === 1 ? '' : 's'}`,
    detail:
      down.length > 0
        ? `${down.map((p) => `${p.name} ${p.state}`).join(', ')}: npm start restarts a process that died (1 s, doubling to 60 s while it keeps dying); read its log for why it exited. "Not reporting": its npm start stopped, restart it.`
        : recent.length > 0
          ? `${recent.map((p) => `${p.name} restarted ${p.restarts}×, last exit: ${p.lastExit ?? 'unknown'}`).join('; ')}. Read that process's log for why it died (e.g. out of memory).`
          : 'Every web and worker process of npm start is running.',
  };
}

function megabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
