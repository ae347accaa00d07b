import { QueryTypes, type Sequelize } from 'sequelize';
import type { ClassifierInputs } from '../ml/onnx-classifier.js';
import { uncertaintyOf } from '../ml/uncertainty.js';
import { pickSampled } from './pick-sampled.js';
import { logger } from '../platform/logger.js';

/** What the sampler needs of the version that answered. */
export interface SampledVersion {
  versionId: number;
  signature: { labels: readonly string[] };
  /** Floats per row (tabular). */
  width: number;
}

export interface PredictSamplerOptions {
  /** Share of predicted instances kept (PREDICT_SAMPLE_RATE), 0 to 1. */
  rate: number;
  /** Samples older than this many days are deleted (PREDICT_SAMPLE_RETENTION_DAYS). */
  retentionDays: number;
  /** Tests pass a fixed sequence; Math.random otherwise. */
  random?: () => number;
  /** Samples waiting for the next write, at most; beyond it new ones are dropped (and counted). */
  maxPending?: number;
  flushMs?: number;
  retentionMs?: number;
}

interface PendingSample {
  versionId: number;
  at: string;
  /** Tabular: the float32 row as records.feature_vector holds it (big-endian), hex for the insert. */
  featureVector: string | null;
  text: string | null;
  label: string;
  probabilities: number[];
  margin: number;
}

const FLUSH_MS = 1_000;
const RETENTION_MS = 3_600_000;
const DELETE_BATCH = 10_000;

/**
 * A sample of what the predict endpoint saw and answered, kept in `predict_samples` for drift reports.
 * `offer` runs on the request's path and only draws a random number per instance; the few picked are
 * copied into memory, and a timer writes them in one INSERT a second (and at stop), so no request
 * waits for the database. A failed write is logged and dropped: these are a sample, not a record of
 * every call. Each process also deletes samples past the retention every hour (in batches, so a long
 * backlog never holds one huge transaction); several processes doing it is harmless.
 */
export class PredictSampler {
  private pending: PendingSample[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly random: () => number;
  private readonly maxPending: number;
  /** Samples dropped because the buffer was full or a write failed (since start). */
  dropped = 0;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: PredictSamplerOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.maxPending = options.maxPending ?? 10_000;
  }

  get enabled(): boolean {
    return this.options.rate > 0;
  }

  /** PREDICT_SAMPLE_RATE, for inference threads that pick their own samples (pickSampled). */
  get rate(): number {
    return this.options.rate;
  }

  /** Picks each of `rows` instances with the sample rate; `probabilities` is rows × labels, row-major. */
  offer(served: SampledVersion, inputs: ClassifierInputs, probabilities: Float32Array, rows: number): void {
    if (!this.enabled) return;
    this.keep(served, inputs, probabilities, pickSampled(rows, this.options.rate, this.random));
  }

  /** Keeps the given instances (already picked, e.g. by an inference thread with pickSampled). */
  keep(served: SampledVersion, inputs: ClassifierInputs, probabilities: Float32Array, picked: readonly number[]): void {
    const { labels } = served.signature;
    const k = labels.length;
    for (const i of picked) {
      if (this.pending.length >= this.maxPending) {
        this.dropped += 1;
        continue;
      }
      const { best, margin } = uncertaintyOf(probabilities, i, k);
      const tabular = inputs instanceof Float32Array;
      this.pending.push({
        versionId: served.versionId,
        at: new Date().toISOString(),
        featureVector: tabular ? vectorHex(inputs, i, served.width) : null,
        text: tabular ? null : (inputs[i] ?? null),
        label: labels[best]!,
        probabilities: Array.from(probabilities.subarray(i * k, (i + 1) * k)),
        margin,
      });
    }
  }

  start(): this {
    this.flushTimer ??= setInterval(() => void this.flush(), this.options.flushMs ?? FLUSH_MS).unref();
    this.retentionTimer ??= setInterval(
      () =>
        void this.deleteExpired().catch((error: unknown) =>
          logger.warn({ err: error }, 'predict samples: retention failed'),
        ),
      this.options.retentionMs ?? RETENTION_MS,
    ).unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.flushTimer = this.retentionTimer = undefined;
    await this.flush();
  }

  /** Writes what is waiting (one INSERT); writes never overlap. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.sequelize.query(
        `INSERT INTO predict_samples (model_version_id, created_at, feature_vector, text, predicted_label, probabilities, margin)
         SELECT r.version_id, r.at, decode(r.vector, 'hex'), r.text, r.label, r.probabilities, r.margin
           FROM jsonb_to_recordset(:rows::jsonb)
             AS r(version_id int, at timestamptz, vector text, text text, label text, probabilities real[], margin real)`,
        {
          replacements: {
            rows: JSON.stringify(
              batch.map((s) => ({
                version_id: s.versionId,
                at: s.at,
                vector: s.featureVector,
                text: s.text,
                label: s.label,
                probabilities: s.probabilities,
                margin: s.margin,
              })),
            ),
          },
        },
      );
    } catch (error) {
      this.dropped += batch.length;
      logger.warn({ err: error, samples: batch.length }, 'predict samples: could not store a batch; dropped it');
    }
  }

  /** Deletes samples older than the retention, oldest first, in batches; returns how many. */
  async deleteExpired(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const count = await this.sequelize.query(
        `DELETE FROM predict_samples WHERE id IN (
           SELECT id FROM predict_samples WHERE created_at < now() - make_interval(days => :days)
            ORDER BY created_at LIMIT :batch)`,
        { replacements: { days: this.options.retentionDays, batch: DELETE_BATCH }, type: QueryTypes.BULKDELETE },
      );
      deleted += count;
      if (count < DELETE_BATCH) return deleted;
    }
  }
}

/** Row `row` of a rows × width float32 matrix as big-endian float4s (records.feature_vector's layout), in hex. */
function vectorHex(inputs: Float32Array, row: number, width: number): string {
  const out = Buffer.allocUnsafe(4 * width);
  for (let j = 0; j < width; j += 1) out.writeFloatBE(inputs[row * width + j]!, 4 * j);
  return out.toString('hex');
}
