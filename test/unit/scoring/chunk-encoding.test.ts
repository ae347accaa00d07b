import assert from 'node:assert/strict';
import type { FeatureSpec } from '../../../models/enums.js';
import { BINARY_COPY_TRAILER, binaryCopyHeader } from '../../../src/db/copy-binary.js';
import { decodeFeatureVectors } from '../../../src/scoring/decode-feature-vectors.js';
import { encodePredictionRows } from '../../../src/scoring/encode-prediction-rows.js';

const schema: FeatureSpec[] = [
  { name: 'a', type: 'number' },
  { name: 'b', type: 'number' },
];

/** A stored feature_vector as Postgres sends it: big-endian float4s. */
function vector(...values: number[]): Buffer {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeFloatBE(v, 4 * i));
  return out;
}

/** A binary jsonb field: version byte 1, then the JSON text. */
const jsonb = (value: unknown): Buffer => Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(value))]);

describe('scoring chunk encoding', () => {
  it('reads stored vectors in machine order and falls back to JSON where there is none, noting records that do not fit', () => {
    const id = Buffer.alloc(8);
    const { values, invalid } = decodeFeatureVectors(
      [
        [id, vector(1.5, -2), null],
        [id, null, jsonb({ a: 3, b: '4' })],
        [id, vector(7), jsonb({ a: 'x', b: 1 })], // a vector of the wrong width reads JSON
        [id, vector(5, 6), null],
      ],
      schema,
      2,
    );
    assert.deepEqual([...values.subarray(0, 4)], [1.5, -2, 3, 4]);
    assert.deepEqual([...values.subarray(6, 8)], [5, 6]);
    assert.deepEqual([...invalid.keys()], [2]);
    assert.match(invalid.get(2)!, /^a: must be a finite number/);
  });

  it('writes one binary COPY row per scored record with the most likely label, and counts labels', () => {
    const probabilities = new Float32Array([0.2, 0.8, 0.9, 0.1]);
    const encoded = encodePredictionRows([10, 11, 12], { rows: [0, 2], probabilities }, ['no', 'yes'], 7, 99);
    assert.deepEqual(encoded.ids, [10, 12]);
    assert.deepEqual([encoded.firstId, encoded.lastId], [10, 12]);
    assert.deepEqual(encoded.labelCounts, [1, 1]);
    const header = binaryCopyHeader();
    assert.ok(encoded.data.subarray(0, header.length).equals(header));
    assert.ok(encoded.data.subarray(-2).equals(BINARY_COPY_TRAILER));
    let at = header.length;
    assert.equal(encoded.data.readInt16BE(at), 8, 'eight columns');
    assert.equal(Number(encoded.data.readBigInt64BE(at + 6)), 10, 'record_id');
    assert.equal(encoded.data.readInt32BE(at + 18), 7, 'model_version_id');
    at += 22;
    assert.equal(encoded.data.toString('utf8', at + 4, at + 4 + encoded.data.readInt32BE(at)), 'yes');
  });

  it('ends each row with the margin and entropy of its probabilities', () => {
    const probabilities = new Float32Array([0.7, 0.2, 0.1]);
    const encoded = encodePredictionRows([5], { rows: [0], probabilities }, ['a', 'b', 'c'], 1, 2);
    // The last two fields of the only row, before the trailer: (length 4, float4) twice.
    const end = encoded.data.length - BINARY_COPY_TRAILER.length;
    assert.equal(encoded.data.readInt32BE(end - 16), 4);
    assert.ok(Math.abs(encoded.data.readFloatBE(end - 12) - 0.5) < 1e-6, 'margin 0.7 − 0.2');
    const entropy = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
    assert.equal(encoded.data.readInt32BE(end - 8), 4);
    assert.ok(Math.abs(encoded.data.readFloatBE(end - 4) - entropy) < 1e-6, 'entropy in nats');
  });
});
