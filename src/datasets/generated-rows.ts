import type { FeatureSpec } from '../../models/enums.js';
import { binaryCopyHeader, BINARY_COPY_TRAILER } from '../db/copy-binary.js';

/** The columns `cli generate` fills, in the order `encodeGeneratedRows` writes them. */
export const GENERATED_COLUMNS = [
  'dataset_id',
  'text',
  'features',
  'label',
  'split',
  'source',
  'feature_vector',
] as const;

/** One generated record: text, or feature values in schema order (then also written as JSON and as the float4 vector). */
export interface GeneratedRow {
  text: string | null;
  values: Float64Array | null;
  label: string;
  split: 'train' | 'test';
}

const CHUNK_BYTES = 1 << 20;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const JSONB_VERSION = 1;

/**
 * The rows as a binary COPY stream (`COPY records (GENERATED_COLUMNS) FROM STDIN (FORMAT binary)`),
 * in buffers of about 1 MiB. Bytes are written directly, no string per row: building the CSV text
 * (JSON.stringify / toFixed of 30 numbers per row) took 16 s of CPU per million tabular rows, more
 * than Postgres needs to store them. Values are written as JSON with 6 decimals (what a measuring
 * instrument gives, and fewer digits for Postgres to parse) and their float4 vector holds exactly the
 * float32 of that decimal, as the `records_feature_vector` function computes it from the JSON.
 */
export function* encodeGeneratedRows(
  datasetId: number,
  schema: readonly FeatureSpec[],
  rows: Iterable<GeneratedRow>,
): Generator<Buffer> {
  const keys = schema.map((spec, j) => Buffer.from(`${j === 0 ? '{' : ','}"${spec.name}":`, 'utf8'));
  const keyBytes = keys.reduce((sum, key) => sum + key.length, 0);
  const source = Buffer.from('generated', 'utf8');
  const splits = { train: Buffer.from('train'), test: Buffer.from('test') };
  const labels = new Map<string, Buffer>();
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = binaryCopyHeader().copy(chunk, 0);
  for (const row of rows) {
    // Room for this row: fixed fields, the text (≤ 3 bytes per UTF-16 unit), the JSON (≤ 24 bytes a number) and the vector.
    const room =
      64 +
      (row.text ? 3 * row.text.length : 0) +
      (row.values ? keyBytes + 24 * row.values.length + 4 * row.values.length : 0) +
      2 * 64;
    if (at + room > chunk.length) {
      yield chunk.subarray(0, at);
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
      at = 0;
    }
    let label = labels.get(row.label);
    if (!label) labels.set(row.label, (label = Buffer.from(row.label, 'utf8')));
    at = chunk.writeInt16BE(GENERATED_COLUMNS.length, at);
    at = chunk.writeInt32BE(4, at);
    at = chunk.writeInt32BE(datasetId, at);
    if (row.text === null) at = chunk.writeInt32BE(-1, at);
    else {
      const length = chunk.write(row.text, at + 4, 'utf8');
      chunk.writeInt32BE(length, at);
      at += 4 + length;
    }
    if (row.values === null) at = chunk.writeInt32BE(-1, at);
    else at = writeFeatureJson(chunk, at, keys, row.values);
    at = writeBytes(chunk, at, label);
    at = writeBytes(chunk, at, splits[row.split]);
    at = writeBytes(chunk, at, source);
    if (row.values === null) at = chunk.writeInt32BE(-1, at);
    else {
      at = chunk.writeInt32BE(4 * row.values.length, at);
      for (let j = 0; j < row.values.length; j += 1) at = chunk.writeFloatBE(micros(row.values[j]!) / 1e6, at);
    }
  }
  if (at + BINARY_COPY_TRAILER.length > chunk.length) {
    yield chunk.subarray(0, at);
    chunk = Buffer.allocUnsafe(BINARY_COPY_TRAILER.length);
    at = 0;
  }
  at += BINARY_COPY_TRAILER.copy(chunk, at);
  yield chunk.subarray(0, at);
}

function writeBytes(chunk: Buffer, at: number, bytes: Buffer): number {
  const next = chunk.writeInt32BE(bytes.length, at);
  return next + bytes.copy(chunk, next);
}

/** A value rounded to millionths, as an integer (the JSON and the vector are both made from it); never -0, which JSON cannot say. */
const micros = (value: number): number => Math.round(value * 1e6) + 0;

/** A jsonb field (version byte, then the JSON text) of the values under their keys, 6 decimals each. */
function writeFeatureJson(chunk: Buffer, at: number, keys: readonly Buffer[], values: Float64Array): number {
  const lengthAt = at;
  at += 4;
  chunk[at++] = JSONB_VERSION;
  for (let j = 0; j < values.length; j += 1) {
    at += keys[j]!.copy(chunk, at);
    at = writeMillionths(chunk, at, micros(values[j]!));
  }
  chunk[at++] = 0x7d; // }
  chunk.writeInt32BE(at - lengthAt - 4, lengthAt);
  return at;
}

/** An integer number of millionths as a plain decimal with 6 decimals (e.g. -1234567 → -1.234567). */
function writeMillionths(chunk: Buffer, at: number, value: number): number {
  let rest = value;
  if (rest < 0) {
    chunk[at++] = MINUS;
    rest = -rest;
  }
  const whole = Math.floor(rest / 1e6);
  let fraction = rest - whole * 1e6;
  if (whole < 10) chunk[at++] = ZERO + whole;
  else at += chunk.write(String(whole), at, 'latin1');
  chunk[at++] = DOT;
  for (let unit = 100_000; unit >= 1; unit /= 10) {
    const digit = Math.floor(fraction / unit);
    chunk[at++] = ZERO + digit;
    fraction -= digit * unit;
  }
  return at;
}
