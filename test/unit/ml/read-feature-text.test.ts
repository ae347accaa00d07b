import assert from 'node:assert/strict';
import type { FeatureSpec } from '../../../models/enums.js';
import { featureTextReader } from '../../../src/ml/tabular/read-feature-text.js';
import { seededRandom } from '../../../src/ml/seeded-random.js';

const schema: FeatureSpec[] = ['f02', 'f10', 'f01', 'height', 'x'].map((name) => ({ name, type: 'number' }));

/** The text Postgres prints for a jsonb object: keys shorter first, then bytewise; `": "` and `", "`. */
function jsonbText(values: Record<string, string>): string {
  const keys = Object.keys(values).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `"${k}": ${values[k]}`).join(', ')}}`;
}

function read(text: string): Float32Array | null {
  const out = new Float32Array(schema.length);
  const buffer = Buffer.from(text, 'utf8');
  return featureTextReader(schema)!(buffer, 0, buffer.length, out, 0) ? out : null;
}

describe('reading jsonb feature text straight into floats', () => {
  it('gives the float32s JSON.parse gives, for 20,000 random decimals of every size', () => {
    const random = seededRandom(3);
    let differing = 0;
    for (let n = 0; n < 4_000; n += 1) {
      const printed: Record<string, string> = {};
      for (const { name } of schema) {
        const magnitude = Math.floor(random() * 24) - 12;
        const value = (random() - 0.5) * 10 ** magnitude;
        // jsonb prints plain decimals, never exponents.
        printed[name] = value.toFixed(Math.max(0, Math.min(100, 17 - magnitude))).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
      }
      const got = read(jsonbText(printed));
      assert.ok(got, jsonbText(printed));
      schema.forEach(({ name }, j) => {
        if (got[j] !== Math.fround(JSON.parse(printed[name]!))) differing += 1;
      });
    }
    assert.equal(differing, 0);
  });

  it('reads integers, zeros, negative zero and long fractions', () => {
    const got = read(jsonbText({ f02: '0', f10: '-0', f01: '3750', height: '0.000000000000000000000000000000000000000000123', x: '12345678901234567890123' }))!;
    assert.deepEqual(Array.from(got), [0, -0, 3750, Math.fround(1.23e-43), Math.fround(1.2345678901234568e22)].map(Math.fround));
  });

  it('refuses, for the slow path to explain, anything but exactly the schema\'s keys with plain numbers', () => {
    const base = { f02: '1', f10: '2', f01: '3', height: '4', x: '5' };
    assert.ok(read(jsonbText(base)));
    assert.equal(read(jsonbText({ ...base, x: 'null' })), null);
    assert.equal(read(jsonbText({ ...base, x: '"1.5"' })), null);
    assert.equal(read(jsonbText({ ...base, x: 'true' })), null);
    assert.equal(read(jsonbText({ f02: '1', f10: '2', f01: '3', height: '4' })), null, 'a missing key');
    assert.equal(read(jsonbText({ ...base, y: '6' })), null, 'an extra key');
    assert.equal(read('{"x": 5, "f01": 3}'), null);
    assert.equal(read(`${jsonbText(base)} `), null);
    assert.equal(read('null'), null);
    assert.equal(featureTextReader([{ name: 'island', type: 'category', categories: ['A'] }]), null, 'categorical schemas are read as JSON');
  });
});
