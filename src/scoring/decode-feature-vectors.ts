import os from 'node:os';
import type { Dataset } from '../../models/index.js';
import { jsonb, type BinaryRow } from '../db/copy-binary.js';
import { encodeFeatureObject } from '../ml/model-inputs.js';

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** A tabular chunk's features: one float row per record, and why each row that cannot be scored cannot (by row index). */
export interface FeatureRows {
  values: Float32Array;
  invalid: Map<number, string>;
}

/** The chunk's rows (id, stored vector, JSON features) into one float row per record; a record read from JSON that does not fit the schema is noted with why. */
export function decodeFeatureVectors(rows: BinaryRow[], schema: Dataset['featureSchema'], width: number): FeatureRows {
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
function encodeFeatures(
  features: unknown,
  schema: Dataset['featureSchema'],
  out: Float32Array,
  at: number,
): string | null {
  if (features === null || typeof features !== 'object' || Array.isArray(features)) return 'no features object';
  const reasons: string[] = [];
  encodeFeatureObject(features as Record<string, unknown>, schema, out, at, 'record', (where, reason) =>
    reasons.push(`${where.slice(1)}: ${reason}`),
  );
  return reasons.length > 0 ? reasons.join('; ') : null;
}
