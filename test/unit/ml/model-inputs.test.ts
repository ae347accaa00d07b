import assert from 'node:assert/strict';
import type { FeatureSpec } from '../../../models/enums.js';
import { encodeInstances, predictionsJson, type InputSpec } from '../../../src/api/v1/predict-input.js';
import { HttpProblem } from '../../../src/api/problem.js';
import { ModelFault, InvalidInput } from '../../../src/errors/domain-error.js';
import {
  encodeFeatureArray,
  encodeFeatureObject,
  encodeInputs,
  FLOAT32_MAX,
  isFiniteFloat32,
} from '../../../src/ml/model-inputs.js';
import { encodeRow } from '../../../src/ml/tabular/tabular-encoder.js';

const island: FeatureSpec = { name: 'island', type: 'category', categories: ['Biscoe', 'Dream', 'Torgersen'] };
const mass: FeatureSpec = { name: 'body_mass_g', type: 'number' };

/** `refused` is the rule's first words; a number is the float the model gets (NaN: missing). */
type Expected = number | { refused: RegExp };
const REFUSED_FLOAT32 = { refused: /within float32's finite range/ };
const REFUSED_NUMBER = { refused: /must be a finite number/ };
const REFUSED_INDEX = { refused: /index of a category: an integer from 0 to 2/ };

/** The reference table: a value of a numeric feature, as JSON gives it, and what the model reads. */
const NUMBERS: Array<[unknown, Expected]> = [
  [0, 0],
  [39.1, Math.fround(39.1)],
  [-3750, -3750],
  [FLOAT32_MAX, FLOAT32_MAX],
  [3.4028235e38, FLOAT32_MAX], // rounds to the largest float32
  [-3.4028235e38, -FLOAT32_MAX],
  [3.4028236e38, REFUSED_FLOAT32], // rounds to infinity
  [3.5e38, REFUSED_FLOAT32],
  [-1e39, REFUSED_FLOAT32],
  [1e300, REFUSED_FLOAT32],
  [-Number.MAX_VALUE, REFUSED_FLOAT32],
  [1e-50, 0], // underflow to zero is finite
  [1.401298464324817e-45, 1.401298464324817e-45], // the smallest subnormal
  [null, Number.NaN],
];
/** Only in object form (array form holds numbers or null). */
const NUMBERS_AS_TEXT: Array<[unknown, Expected]> = [
  ['3750', 3750],
  [' 1.5e3 ', 1500],
  ['1e300', REFUSED_FLOAT32],
  ['-3.5e38', REFUSED_FLOAT32],
  ['NaN', REFUSED_NUMBER],
  ['Infinity', REFUSED_NUMBER],
  ['-Infinity', REFUSED_NUMBER],
  ['', REFUSED_NUMBER],
  ['heavy', REFUSED_NUMBER],
  [true, REFUSED_NUMBER],
];
/** A category's index, as the array form gives it. */
const CATEGORY_INDEXES: Array<[number | null, Expected]> = [
  [0, 0],
  [2, 2],
  [null, Number.NaN],
  [3, REFUSED_INDEX],
  [99, REFUSED_INDEX],
  [-1, REFUSED_INDEX],
  [0.5, REFUSED_INDEX],
  [1e300, REFUSED_INDEX],
];

function check(
  label: string,
  got: { value: number; problems: Array<{ at: string; reason: string }> },
  expected: Expected,
  at: string,
): void {
  if (typeof expected === 'number') {
    assert.deepEqual(got.problems, [], label);
    assert.ok(
      Object.is(got.value, expected) || (Number.isNaN(expected) && Number.isNaN(got.value)),
      `${label}: read as ${got.value}, expected ${expected}`,
    );
  } else {
    assert.equal(got.problems.length, 1, `${label}: refused`);
    assert.equal(got.problems[0]!.at, at, label);
    assert.match(got.problems[0]!.reason, expected.refused, label);
  }
}

function viaArray(value: number | null, schema: readonly FeatureSpec[] | null) {
  const out = new Float32Array(1);
  const problems: Array<{ at: string; reason: string }> = [];
  encodeFeatureArray([value], schema, out, 0, (at, reason) => problems.push({ at, reason }));
  return { value: out[0]!, problems };
}

function viaObject(value: unknown, spec: FeatureSpec, strictness: 'instance' | 'record') {
  const out = new Float32Array(1);
  const problems: Array<{ at: string; reason: string }> = [];
  encodeFeatureObject({ [spec.name]: value }, [spec], out, 0, strictness, (at, reason) =>
    problems.push({ at, reason }),
  );
  return { value: out[0]!, problems };
}

describe('model inputs: the one encoder of feature values (reference table)', () => {
  it('isFiniteFloat32: finite once stored as a float32', () => {
    for (const [value, expected] of [...NUMBERS, ...NUMBERS_AS_TEXT]) {
      if (typeof value !== 'number') assert.equal(isFiniteFloat32(value), false, String(value));
      else assert.equal(isFiniteFloat32(value), typeof expected === 'number', String(value));
    }
    assert.equal(isFiniteFloat32(Number.NaN), false);
    assert.equal(isFiniteFloat32(Number.POSITIVE_INFINITY), false);
  });

  it('numbers: the same in array form, object form, and for stored records', () => {
    for (const [value, expected] of NUMBERS) {
      check(`array ${String(value)}`, viaArray(value as number | null, [mass]), expected, '[0]');
      check(`array, unnamed features ${String(value)}`, viaArray(value as number | null, null), expected, '[0]');
      check(`object ${String(value)}`, viaObject(value, mass, 'instance'), expected, '.body_mass_g');
      check(`record ${String(value)}`, viaObject(value, mass, 'record'), expected, '.body_mass_g');
    }
    for (const [value, expected] of NUMBERS_AS_TEXT) {
      check(`object ${JSON.stringify(value)}`, viaObject(value, mass, 'instance'), expected, '.body_mass_g');
      check(`record ${JSON.stringify(value)}`, viaObject(value, mass, 'record'), expected, '.body_mass_g');
    }
  });

  it('categories: an index in the list (array form), a name in the list (object form); a stored record reads an unseen name as missing', () => {
    for (const [value, expected] of CATEGORY_INDEXES)
      check(`index ${String(value)}`, viaArray(value, [island]), expected, '[0]');
    // Without feature names there is no list to check against: only float32's range.
    check('unnamed 99', viaArray(99, null), 99, '[0]');
    check('name', viaObject('Dream', island, 'instance'), 1, '.island');
    check(
      'unknown name',
      viaObject('Atlantis', island, 'instance'),
      { refused: /one of "Biscoe", "Dream", "Torgersen"/ },
      '.island',
    );
    check('an index is not a name', viaObject(1, island, 'instance'), { refused: /one of "Biscoe"/ }, '.island');
    check('stored unknown name', viaObject('Atlantis', island, 'record'), Number.NaN, '.island');
  });

  it('training and upload checks refuse a stored record beyond float32 (InvalidInput naming record and feature)', () => {
    assert.throws(
      () => encodeRow({ body_mass_g: 1e300, island: 'Dream' }, [mass, island], 'training row 3'),
      (error: unknown) =>
        error instanceof InvalidInput &&
        error.code === 'features.not_finite' &&
        /training row 3: feature "body_mass_g" must be within float32's finite range/.test(error.message) &&
        error.fields?.body_mass_g !== undefined,
    );
    assert.throws(
      () =>
        encodeInputs({ task: 'tabular-classification', featureSchema: [mass] }, [
          { id: 7, text: null, features: { body_mass_g: -1e39 } },
        ]),
      /record 7: feature "body_mass_g"/,
    );
    assert.deepEqual(Array.from(encodeRow({ body_mass_g: 3750, island: 'Atlantis' }, [mass, island])).map(String), [
      '3750',
      'NaN',
    ]);
  });

  describe('the predict API: same paths and rules for objects and arrays', () => {
    const spec: InputSpec = {
      modelName: 'penguins',
      version: 3,
      signature: {
        input: { name: 'features', type: 'float32', shape: ['batch', 2] },
        probabilities: { name: 'probabilities' },
        labels: ['a', 'b'],
      },
      width: 2,
      features: [mass, island],
    };
    const problemsOf = (instances: unknown[]) => {
      try {
        encodeInstances(spec, instances as never);
      } catch (error) {
        assert.ok(error instanceof HttpProblem && error.status === 400 && error.code === 'instances.invalid');
        return error.errors!.map((e) => `${e.path}: ${e.reason}`);
      }
      return [];
    };

    it('names each bad value by its path, with the value', () => {
      const problems = problemsOf([
        { body_mass_g: 3750, island: 'Dream' },
        [3750, 1],
        { body_mass_g: 1e300, island: 'Dream' },
        [1e300, 1],
        [3.5e38, 99],
        [-1e39, -1],
        [3750, 0.5],
        { body_mass_g: '1e300', island: 'Atlantis' },
      ]);
      assert.deepEqual(
        problems.map((p) => p.split(':')[0]),
        [
          'instances[2].body_mass_g',
          'instances[3][0]',
          'instances[4][0]',
          'instances[4][1]',
          'instances[5][0]',
          'instances[5][1]',
          'instances[6][1]',
          'instances[7].body_mass_g',
          'instances[7].island',
        ],
      );
      assert.match(problems[0]!, /within float32's finite range .*, got 1e\+300$/);
      assert.match(
        problems[3]!,
        /index of a category: an integer from 0 to 2 \(0 = "Biscoe", 1 = "Dream", 2 = "Torgersen"\), or null when unknown, got 99$/,
      );
      assert.deepEqual(problemsOf([{ body_mass_g: null, island: null }, [null, null], [FLOAT32_MAX, 2]]), []);
    });

    it("never writes a probability that is not a finite number: the model's fault, naming the instances", () => {
      assert.equal(
        predictionsJson(spec, Float32Array.from([0.25, 0.75]), 1),
        '[{"label":"b","score":0.75,"probabilities":{"a":0.25,"b":0.75}}]',
      );
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        assert.throws(
          () => predictionsJson(spec, Float32Array.from([0.5, 0.5, bad, 0.5]), 2),
          (error: unknown) =>
            error instanceof ModelFault &&
            error.code === 'model.output_not_finite' &&
            /Version 3 of model "penguins"/.test(error.message) &&
            /instances\[1\]/.test(error.message) &&
            !/instances\[0\]/.test(error.message),
        );
      }
    });
  });
});
