import { from as copyFrom } from 'pg-copy-streams';
import os from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { Op, literal } from 'sequelize';
import { DataRecord, Dataset, ModelVersion, sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { BINARY_COPY_TRAILER, binaryCopyHeader, copyOutBinary, int8, jsonb, text, type BinaryRow } from '../db/copy-binary.js';
import { withRawConnections } from '../db/raw-connection.js';
import { selectSql } from '../db/select-sql.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';
import { encodeFeatureObject } from '../ml/model-inputs.js';
import { nonFiniteRows, outputNotFinite } from '../ml/runtime/finite-output.js';
import { featureWidth, openClassifier, predictInChunks, signatureOf, type ClassifierInputs } from '../ml/onnx-classifier.js';
import { loadConfig } from '../platform/config.js';
import { scoringWhere } from './queue-scoring.js';
import { ScoreCheckpoint, ScoreJobParams } from './score-input.js';

/** Rows per onnxruntime `run` (text models build a dense TF-IDF matrix per run: keep those smaller). */
const INFER_ROWS = { tabular: 8_192, text: 1_024 } as const;
/** Invalid record ids kept in the result (the count covers all of them). */
const INVALID_IDS_LISTED = 20;
/** Advisory lock namespace: scoring steps of one dataset take turns writing its predictions. */
const SCORE_LOCK = 0x5c0e;

export interface ScoreResult {
  model: string;
  version: number;
  modelVersionId: number;
  scored: number;
  invalid: ScoreCheckpoint['invalid'];
  labelDistribution: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
  timingsMs: ScoreCheckpoint['timings'];
  peakRssMb: number;
  attempts: number;
}

export interface ScoreContext {
  jobId: number;
  checkpoint: Record<string, unknown> | null;
  progress(phase: string, done: number, total: number): Promise<void>;
}

interface Chunk {
  ids: number[];
  /** Text models: per read row, its text as read. */
  raw: Array<Buffer | null>;
  /** Tabular: the rows' features (rows × width), and why each row that cannot be scored cannot. */
  vectors?: { values: Float32Array; invalid: Map<number, string> };
  readMs: number;
}


/**
 * Scores the job's records with its model version, chunk by chunk in id order: read with COPY (the
 * next chunk is read while this one is scored and written), inference in onnxruntime batches, then
 * one transaction per chunk that replaces the chunk's predictions (COPY into record_predictions) and
 * commits the checkpoint. Killed part-way, the job goes on after the last committed chunk: every
 * record ends up scored exactly once by the version, nothing is half-written, and records are never
 * written (only their predictions), so edits made meanwhile stay. Records whose input does not fit
 * the model are counted in the result with their ids and reasons, not scored.
 */
export async function scoreRecords(actor: Actor, rawParams: Record<string, unknown>, context: ScoreContext): Promise<ScoreResult> {
  if (decide(actor, 'models', 'score') !== true) throw new Forbidden('score.forbidden', 'Your role may not run batch scoring (any more).');
  const params = ScoreJobParams.parse(rawParams);
  const version = await ModelVersion.unscoped().findByPk(params.modelVersionId); // with its ONNX bytes
  const dataset = await Dataset.findByPk(params.datasetId);
  if (!version || !dataset) throw new InvalidInput('score.gone', `Model version ${params.modelVersionId} or dataset ${params.datasetId} no longer exists.`);
  const signature = signatureOf(version);
  const classifier = await openClassifier(version.onnx, signature);
  const started = performance.now();
  const previous = context.checkpoint ? ScoreCheckpoint.safeParse(context.checkpoint) : undefined;
  const state: ScoreCheckpoint = previous?.success
    ? { ...previous.data, attempts: previous.data.attempts + 1 }
    : {
        lastId: 0,
        total: await DataRecord.count({ where: scoringWhere(params) }),
        scored: 0,
        invalid: { count: 0, firstIds: [], reasons: {} },
        labelCounts: signature.labels.map(() => 0),
        timings: { readMs: 0, inferMs: 0, writeMs: 0, wallMs: 0 },
        attempts: 1,
      };
  const wallBefore = state.timings.wallMs;
  const isText = dataset.task === 'text-classification';
  const width = isText ? 1 : featureWidth(signature);
  if (!isText && width !== dataset.featureSchema.length) {
    throw new InvalidInput('score.schema_mismatch', `Version ${version.version} of "${params.model}" takes ${width} features; dataset ${dataset.name} has ${dataset.featureSchema.length}. Retrain the model on this dataset.`);
  }

  const sequelize = sequelizeOf();
  // Records read, scored and written per step; each step commits its predictions with the checkpoint.
  const chunkRows = loadConfig().SCORE_CHUNK_ROWS;
  const read = async (reader: pg.Client, afterId: number): Promise<Chunk> => {
    const begun = performance.now();
    const select = (...columns: Array<string | [ReturnType<typeof literal>, string]>) =>
      selectSql(DataRecord, {
        attributes: ['id', ...columns],
        where: { [Op.and]: [scoringWhere(params), { id: { [Op.gt]: afterId } }] },
        order: [['id', 'ASC']],
        limit: chunkRows,
      });
    if (!isText) {
      const rows = await readInSchemaSnapshot(reader, dataset, select(...featureColumns(width)));
      return { ids: rows.map((r) => int8(r[0]!)), raw: [], vectors: readVectors(rows, dataset.featureSchema, width), readMs: performance.now() - begun };
    }
    const rows = await copyOutBinary(reader, select('text'));
    return { ids: rows.map((r) => int8(r[0]!)), raw: rows.map((r) => r[1] ?? null), readMs: performance.now() - begun };
  };

  // Writes run one at a time, in order, each while the next chunk is already being scored: the
  // checkpoint each commits is a snapshot taken when its chunk was scored.
  let writing: Promise<void> = Promise.resolve();
  let committedDone = state.scored + state.invalid.count;
  const score = async (chunk: Chunk, writer: pg.Client) => {
    state.timings.readMs += chunk.readMs;
    const inferBegun = performance.now();
    const { inputs, rows } = isText ? textInputs(chunk, state) : tabularInputs(chunk, width, state);
    const probabilities = rows.length ? await predictInChunks(classifier, inputs, isText ? INFER_ROWS.text : INFER_ROWS.tabular) : new Float32Array(0);
    // NaN or infinite probabilities are the model's failure, not a record's: the job fails (with
    // the chunks before this one committed) rather than storing predictions that are not numbers.
    const broken = nonFiniteRows(probabilities, rows.length, signature.labels.length);
    if (broken.length > 0) {
      const first = broken[0]!;
      const missingInputs = inputs instanceof Float32Array && inputs.subarray(first * width, (first + 1) * width).some(Number.isNaN);
      throw outputNotFinite({ modelName: params.model, version: params.version }, broken.map((n) => `record ${chunk.ids[rows[n]!]}`), missingInputs);
    }
    const encoded = predictionRows(chunk, rows, probabilities, signature.labels, params.modelVersionId, context.jobId, state);
    state.lastId = lastIdOf(chunk);
    state.timings.inferMs += performance.now() - inferBegun;
    state.timings.wallMs = wallBefore + (performance.now() - started);
    const snapshot = { checkpoint: JSON.stringify(state), done: state.scored + state.invalid.count };
    const waited = performance.now();
    await writing; // the previous chunk's write (its failure stops the job here)
    state.timings.writeMs += performance.now() - waited;
    // Progress counts committed rows only: this chunk is not written yet, so report what the chunks
    // before it committed (writeChunk moves progress_done on in the transaction that commits this one).
    await context.progress('scoring', committedDone, Math.max(state.total, snapshot.done));
    committedDone = snapshot.done;
    writing = writeChunk(writer, params.datasetId, encoded, context.jobId, snapshot);
    writing.catch(() => undefined); // awaited later; not an unhandled rejection meanwhile
  };

  try {
    await withRawConnections(sequelize, 2, async ([reader, writer]) => {
      await context.progress('scoring', state.scored + state.invalid.count, state.total);
      // Three stages at once: Postgres reads chunk k+1 while this process scores chunk k and the
      // other connection writes chunk k-1. (Two read streams measured no faster: the machine's
      // cores are the limit, and each stream visited every row.)
      let next = read(reader!, state.lastId);
      try {
        for (;;) {
          const chunk = await next;
          if (chunk.ids.length === 0) break;
          next = read(reader!, lastIdOf(chunk));
          await score(chunk, writer!);
        }
        const waited = performance.now();
        await writing;
        state.timings.writeMs += performance.now() - waited;
      } finally {
        // Never hand a connection back to the pool with a COPY or a write still running on it.
        await Promise.all([next.catch(() => undefined), writing.catch(() => undefined)]);
      }
    });
  } finally {
    await classifier.release();
  }
  state.timings.wallMs = wallBefore + (performance.now() - started);
  const seconds = state.timings.wallMs / 1000;
  return {
    model: params.model,
    version: params.version,
    modelVersionId: params.modelVersionId,
    scored: state.scored,
    invalid: state.invalid,
    labelDistribution: Object.fromEntries(signature.labels.map((label, i) => [label, state.labelCounts[i] ?? 0])),
    seconds: Number(seconds.toFixed(3)),
    rowsPerSecond: Math.round(state.scored / Math.max(seconds, 1e-3)),
    timingsMs: Object.fromEntries(Object.entries(state.timings).map(([k, v]) => [k, Math.round(v)])) as ScoreCheckpoint['timings'],
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    attempts: state.attempts,
  };
}

/** Where the next chunk starts: after the chunk's largest id (its rows are not necessarily in id order). */
function lastIdOf(chunk: Chunk): number {
  let last = 0;
  for (const id of chunk.ids) if (id > last) last = id;
  return last;
}

function noteInvalid(state: ScoreCheckpoint, id: number, reason: string): void {
  state.invalid.count += 1;
  if (state.invalid.firstIds.length < INVALID_IDS_LISTED) state.invalid.firstIds.push(id);
  state.invalid.reasons[reason] = (state.invalid.reasons[reason] ?? 0) + 1;
}

/** Feature rows in schema order, as the encoder (model-inputs.ts) reads them; rows that do not fit are noted, not scored. */
function tabularInputs(chunk: Chunk, width: number, state: ScoreCheckpoint): { inputs: ClassifierInputs; rows: number[] } {
  const rows: number[] = [];
  const { values, invalid } = chunk.vectors!;
  chunk.ids.forEach((id, i) => {
    const reason = invalid.get(i);
    if (reason) return noteInvalid(state, id, reason);
    if (rows.length !== i) values.copyWithin(rows.length * width, i * width, (i + 1) * width); // close the gap left by invalid rows
    rows.push(i);
  });
  return { inputs: values.subarray(0, rows.length * width), rows };
}

/**
 * What a tabular chunk reads per record: its stored float4 vector (records.feature_vector, migration
 * 20261125001800), and its features JSON only where there is no vector of the model's width (a
 * non-numeric or missing feature, or a schema that is not all numbers), so nearly every record
 * crosses the wire as 4 bytes a feature and no JSON is parsed.
 */
function featureColumns(width: number): Array<[ReturnType<typeof literal>, string]> {
  const vector = '"DataRecord"."feature_vector"';
  return [
    [literal(vector), 'featureVector'],
    [literal(`CASE WHEN ${vector} IS NULL OR octet_length(${vector}) <> ${4 * width} THEN "DataRecord"."features" END`), 'features'],
  ];
}

/**
 * Reads a tabular chunk in one snapshot with its dataset's feature schema, and only while that schema
 * is the one the job started with. Stored vectors follow the dataset's current schema order (their
 * trigger recomputes them when it changes), so a schema changed mid-job must stop the job rather
 * than hand the model features in other places than it was trained on.
 */
async function readInSchemaSnapshot(reader: pg.Client, dataset: Dataset, select: string): Promise<BinaryRow[]> {
  await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const { rows } = await reader.query<{ same: boolean }>('SELECT feature_schema = $2::jsonb AS same FROM datasets WHERE id = $1', [dataset.id, JSON.stringify(dataset.featureSchema)]);
    if (rows[0]?.same !== true) {
      throw new InvalidInput('score.schema_changed', `The feature schema of dataset ${dataset.name} changed while scoring: queue the scoring again (retrain the model first if its features changed).`);
    }
    return await copyOutBinary(reader, select);
  } finally {
    await reader.query('COMMIT').catch(() => undefined);
  }
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** The chunk's rows (id, vector, JSON) into one float row per record; a record read from JSON that does not fit the schema is noted with why. */
function readVectors(rows: BinaryRow[], schema: Dataset['featureSchema'], width: number): NonNullable<Chunk['vectors']> {
  const values = new Float32Array(rows.length * width);
  const invalid = new Map<number, string>();
  const fromJson: number[] = [];
  // Stored vectors are big-endian float4s: copy their bytes in place, then turn them all around at
  // once (swap32) on a little-endian machine; a float read at a time cost a third of the chunk's CPU.
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  rows.forEach((row, i) => {
    const vector = row[1];
    if (!vector || vector.length !== 4 * width) fromJson.push(i);
    else if (LITTLE_ENDIAN) vector.copy(bytes, 4 * width * i);
    else for (let j = 0; j < width; j += 1) values[i * width + j] = vector.readFloatBE(4 * j);
  });
  if (LITTLE_ENDIAN) bytes.swap32(); // rows still to come from JSON are zeros, which stay zeros
  for (const i of fromJson) {
    const row = rows[i]!;
    const reason = encodeFeatures(row[2] ? jsonb(row[2]) : null, schema, values, i * width);
    if (reason) invalid.set(i, reason);
  }
  return { values, invalid };
}

/**
 * One record's features (parsed JSON) into `out` at `at`, by the encoder's rule for stored records
 * (model-inputs.ts: a number beyond float32's finite range does not fit); returns why the record
 * cannot be scored (feature: rule, without the value, so that reasons are counted), or null.
 */
function encodeFeatures(features: unknown, schema: Dataset['featureSchema'], out: Float32Array, at: number): string | null {
  if (features === null || typeof features !== 'object' || Array.isArray(features)) return 'no features object';
  const reasons: string[] = [];
  encodeFeatureObject(features as Record<string, unknown>, schema, out, at, 'record', (where, reason) => reasons.push(`${where.slice(1)}: ${reason}`));
  return reasons.length > 0 ? reasons.join('; ') : null;
}

function textInputs(chunk: Chunk, state: ScoreCheckpoint): { inputs: ClassifierInputs; rows: number[] } {
  const inputs: string[] = [];
  const rows: number[] = [];
  chunk.raw.forEach((field, i) => {
    if (field === null) return noteInvalid(state, chunk.ids[i]!, 'no text');
    inputs.push(text(field));
    rows.push(i);
  });
  return { inputs, rows };
}

interface EncodedPredictions {
  ids: number[];
  /** The smallest and largest of `ids`. */
  firstId: number;
  lastId: number;
  /** Rows of record_predictions (record_id, model_version_id, predicted_label, score, probabilities, job_id) in binary COPY format. */
  data: Buffer;
}

/**
 * The chunk's predictions as binary COPY rows (no number is turned into text and parsed back). The
 * probabilities are finite (checked before: a model answering NaN fails the job).
 */
function predictionRows(chunk: Chunk, rows: number[], probabilities: Float32Array, labels: readonly string[], versionId: number, jobId: number, state: ScoreCheckpoint): EncodedPredictions {
  const k = labels.length;
  const labelBytes = labels.map((label) => Buffer.from(label, 'utf8'));
  const longest = Math.max(...labelBytes.map((b) => b.length));
  const rowBytes = 2 + (4 + 8) + (4 + 4) + (4 + longest) + (4 + 4) + (4 + 20 + 8 * k) + (4 + 8);
  const data = Buffer.allocUnsafe(19 + rows.length * rowBytes + 2);
  let at = binaryCopyHeader().copy(data, 0);
  const ids: number[] = [];
  const job = BigInt(jobId);
  rows.forEach((row, n) => {
    const id = chunk.ids[row]!;
    let best = 0;
    for (let c = 0; c < k; c += 1) {
      if (probabilities[n * k + c]! > probabilities[n * k + best]!) best = c;
    }
    at = data.writeInt16BE(6, at);
    at = data.writeInt32BE(8, at);
    at = data.writeUInt32BE(Math.floor(id / 2 ** 32), at); // int8 as two halves: no BigInt per row
    at = data.writeUInt32BE(id >>> 0, at);
    at = data.writeInt32BE(4, at);
    at = data.writeInt32BE(versionId, at);
    at = data.writeInt32BE(labelBytes[best]!.length, at);
    at += labelBytes[best]!.copy(data, at);
    at = data.writeInt32BE(4, at);
    at = data.writeFloatBE(Math.min(1, Math.max(0, probabilities[n * k + best]!)), at);
    at = data.writeInt32BE(20 + 8 * k, at);
    at = data.writeInt32BE(1, at); // dimensions
    at = data.writeInt32BE(0, at); // no NULLs
    at = data.writeInt32BE(700, at); // float4
    at = data.writeInt32BE(k, at);
    at = data.writeInt32BE(1, at); // lower bound
    for (let c = 0; c < k; c += 1) {
      at = data.writeInt32BE(4, at);
      at = data.writeFloatBE(probabilities[n * k + c]!, at);
    }
    at = data.writeInt32BE(8, at);
    at = data.writeBigInt64BE(job, at);
    state.labelCounts[best] = (state.labelCounts[best] ?? 0) + 1;
    ids.push(id);
  });
  at += BINARY_COPY_TRAILER.copy(data, at);
  state.scored += ids.length;
  let [firstId, lastId] = [Number.POSITIVE_INFINITY, 0];
  for (const id of ids) [firstId, lastId] = [Math.min(firstId, id), Math.max(lastId, id)];
  return { ids, firstId: ids.length ? firstId : 0, lastId, data: data.subarray(0, at) };
}

/**
 * One transaction: replace the chunk's predictions and commit the checkpoint with them. Steps of
 * scoring jobs on the same dataset take turns (advisory lock), so two jobs never interleave halfway.
 */
async function writeChunk(client: pg.Client, datasetId: number, encoded: EncodedPredictions, jobId: number, snapshot: { checkpoint: string; done: number }): Promise<void> {
  await client.query('BEGIN');
  try {
    // A chunk's commit need not wait for its WAL flush: lost in a crash, it is lost with its
    // checkpoint, and the resumed job scores the chunk again; the job's final commit flushes them all.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [SCORE_LOCK, datasetId]);
    if (encoded.ids.length > 0) {
      // Replace earlier predictions; the first scoring of these records has none (one index probe
      // then spares sending and matching the chunk's ids). Under the lock above, no other scoring of
      // this dataset can add any before this commits.
      const { rows } = await client.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM record_predictions WHERE record_id BETWEEN $1 AND $2) AS any', [encoded.firstId, encoded.lastId]);
      if (rows[0]?.any) await client.query('DELETE FROM record_predictions WHERE record_id = ANY ($1::bigint[])', [encoded.ids]);
      await pipeline(
        Readable.from([encoded.data]),
        client.query(copyFrom('COPY record_predictions (record_id, model_version_id, predicted_label, score, probabilities, job_id) FROM STDIN (FORMAT binary)')),
      );
    }
    await client.query('UPDATE jobs SET checkpoint = $1, progress_done = $2, heartbeat_at = now(), updated_at = now() WHERE id = $3', [snapshot.checkpoint, snapshot.done, jobId]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
