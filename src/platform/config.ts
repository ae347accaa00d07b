import path from 'node:path';
import * as z from 'zod';
import { projectRoot } from './project-root.js';

const Port = z.coerce.number().int().min(0).max(65_535);
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Every setting ModelDesk reads from the environment. Nothing else reads `process.env` for
 * configuration: add a variable here and to docs/configuration.md (test/unit/docs-links.test.ts checks both agree).
 */
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: Port.default(3000),
    DATABASE_URL: z
      .url({
        protocol: /^postgres(ql)?$/,
        error: 'must be a postgres:// URL, e.g. postgres://user:pass@host:5432/modeldesk',
      })
      .optional(),
    /**
     * A role that owns the schema, for migrations and the job queue's tables; DATABASE_URL is then a
     * role with data privileges only (granted after each migration), which cannot alter or empty the
     * audit log. Unset: DATABASE_URL does both.
     */
    DATABASE_OWNER_URL: z
      .url({
        protocol: /^postgres(ql)?$/,
        error: 'must be a postgres:// URL, e.g. postgres://owner:pass@host:5432/modeldesk',
      })
      .optional(),
    DATA_DIR: z.string().min(1).default(path.join(projectRoot, '.data')),
    EMBEDDED_PG_PORT: Port.default(54329),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(12),
    TRUST_PROXY: booleanFlag.default(false),
    /** PEM certificate (chain) and private key files: with both, the console and API are served over HTTPS (HSTS on). */
    TLS_CERT: z.string().min(1).optional(),
    TLS_KEY: z.string().min(1).optional(),
    /** With TLS: a plain-HTTP port that only redirects (308) to the HTTPS one, e.g. 80 → 443. */
    HTTP_REDIRECT_PORT: Port.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SEED_DEMO_DATA: booleanFlag.default(true),
    JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3_600).default(30),
    /** Seconds a job that failed, or whose worker died, waits before its next attempt. */
    JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).max(3_600).default(5),
    /**
     * On SIGTERM/SIGINT: how long `npm start` lets its web processes finish requests and its workers
     * commit or roll back their job step (the job is then resumable) before it SIGKILLs what is left.
     */
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(2).max(600).default(20),
    MAX_MODEL_UPLOAD_MB: z.coerce.number().int().min(1).max(1_024).default(50),
    /**
     * Memory an uploaded ONNX file may take while it is checked (parsed, opened, run on the dataset), in
     * the separate process that checks it, on top of that process's own start (an address-space limit).
     */
    MODEL_CHECK_MAX_MEMORY_MB: z.coerce.number().int().min(64).max(65_536).default(1_024),
    /** Seconds that check may take before the process is killed and the file refused. */
    MODEL_CHECK_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
    /** Largest CSV file "Import CSV" accepts; it is stored in Postgres and streamed, never held whole in memory. */
    MAX_IMPORT_MB: z.coerce.number().int().min(1).max(4_096).default(500),
    /**
     * Seconds the console's charts keep an aggregate in memory per web process; a write to the data under
     * it (any process) drops it sooner. 0: every chart view queries Postgres.
     */
    CHARTS_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
    /** Records a scoring job reads, scores and commits per step (memory and checkpoint granularity). */
    SCORE_CHUNK_ROWS: z.coerce.number().int().min(100).max(200_000).default(20_000),
    /** Change-set rows a revert job writes per statement (one transaction for all): its progress steps. */
    REVERT_CHUNK_ROWS: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
    /**
     * Browser origins allowed to call /api/v1 (CORS), comma-separated, e.g.
     * `https://app.example.com,http://localhost:5173`. Empty: none (same-origin and non-browser clients only).
     * Never applies to the console.
     */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value, ctx) => {
        const origins = value
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean);
        for (const origin of origins) {
          let parsed: URL | undefined;
          try {
            parsed = new URL(origin);
          } catch {
            parsed = undefined;
          }
          if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
            ctx.addIssue({
              code: 'custom',
              message: `"${origin}" is not an origin: give scheme, host and port only, e.g. https://app.example.com`,
            });
          }
        }
        return origins;
      }),
    /** Most instances one predict request may carry. */
    API_MAX_INSTANCES: z.coerce.number().int().min(1).max(100_000).default(1_000),
    /** Largest API request body, in KiB (413 above it). */
    API_MAX_BODY_KB: z.coerce.number().int().min(1).max(1_048_576).default(2_048),
    /** API requests one web process works on at once; more are answered 503 with Retry-After at once. */
    API_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(512),
    /** Requests per minute per API key (a key's own rate limit wins) and per signed-in user on the API. */
    API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).default(6_000),
    /** Requests per minute per client address on the API, whoever they are (checked before the key). */
    API_IP_RATE_LIMIT: z.coerce.number().int().min(1).default(30_000),
    /**
     * Worker threads per web process for large predict bodies (over 64 KiB): parsed, checked and scored
     * off the web thread. 0: the web thread does it, in slices.
     */
    INFERENCE_THREADS: z.coerce.number().int().min(0).max(64).default(1),
    /**
     * How long a reviewer holds a review queue item they claimed (its label page is open): past it,
     * the next reviewer to ask for work may take it over.
     */
    REVIEW_CLAIM_MINUTES: z.coerce.number().int().min(1).max(1_440).default(10),
    /** Predict answers kept per web process (same version, same instances → same answer); 0 turns the cache off. */
    PREDICT_CACHE_ENTRIES: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
    /**
     * Share of predicted instances (0 to 1) kept in predict_samples with their input and answer, for
     * drift reports; written in batches off the request's path. 0 turns sampling off.
     */
    PREDICT_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0.01),
    /** Days a predict sample is kept; older ones are deleted every hour by each web process. */
    PREDICT_SAMPLE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
    /**
     * Bearer token that `GET /metrics` requires. Unset: /metrics answers 404 to everyone, loopback
     * included, because behind a reverse proxy on the same host every request arrives from 127.0.0.1.
     */
    METRICS_TOKEN: z
      .string()
      .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an Authorization header)')
      .optional(),
  })
  .superRefine((config, ctx) => {
    if (Boolean(config.TLS_CERT) !== Boolean(config.TLS_KEY)) {
      const missing = config.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'TLS_CERT and TLS_KEY go together: set both (PEM certificate and its private key) or neither',
      });
    }
    if (config.HTTP_REDIRECT_PORT !== undefined && !config.TLS_CERT) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_REDIRECT_PORT'],
        message:
          'redirects to HTTPS, which needs TLS_CERT and TLS_KEY (behind a proxy that terminates TLS, let the proxy redirect)',
      });
    }
    if (config.HTTP_REDIRECT_PORT !== undefined && config.HTTP_REDIRECT_PORT === config.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_REDIRECT_PORT'],
        message: 'must differ from PORT, which serves HTTPS',
      });
    }
  });
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The log level to use before the configuration is loaded (the logger exists from the first
 * import): LOG_LEVEL when valid, else the default; an invalid value is reported by `loadConfig`.
 * Commands apply `config.LOG_LEVEL` once loaded (`openDatabase`).
 */
export function earlyLogLevel(env: NodeJS.ProcessEnv = process.env): Config['LOG_LEVEL'] {
  const parsed = ConfigSchema.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL === '' ? undefined : env.LOG_LEVEL);
  return parsed.success ? parsed.data : 'info';
}

/** Parses the environment once; every problem is reported at once, each naming its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = ConfigSchema.safeParse(known);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}=${shown(name, known[name] ?? '')}: ${issue.message}`;
    }),
  );
}

/** Variables whose values are credentials: a wrong one is still someone's secret, so it is not echoed. */
const SECRET_VARIABLES = new Set(['SESSION_SECRET', 'METRICS_TOKEN']);

function shown(name: string, value: string): string {
  if (SECRET_VARIABLES.has(name)) return `(${value.length} characters, not shown)`;
  // A malformed DATABASE_URL is printed to help fix it, but not its password.
  if (name === 'DATABASE_URL' || name === 'DATABASE_OWNER_URL')
    return JSON.stringify(value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@'));
  return JSON.stringify(value);
}
