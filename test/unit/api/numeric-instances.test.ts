import assert from 'node:assert/strict';
import { numericInstances, predictBodySchema } from '../../../src/api/v1/predict-input.js';

describe('predict: the numeric-rows shortcut accepts only what the zod schema accepts, with the same data', () => {
  const max = 5;
  const schema = predictBodySchema(max);
  const bodies: unknown[] = [
    { instances: [[1, 2, 3]] },
    {
      instances: [
        [1, null, -3.5e-7],
        [0, 0, 0],
      ],
    },
    { instances: [[]] },
    { instances: [[1, 2], [3]] },
    { instances: [] },
    { instances: Array.from({ length: 6 }, () => [1]) },
    { instances: [[1, '2']] },
    { instances: [[1, Number.POSITIVE_INFINITY]] },
    { instances: [[Number.NaN]] },
    { instances: [[1, true]] },
    { instances: [['a text']] },
    { instances: ['a text'] },
    { instances: [{ a: 1 }] },
    { instances: [[1, 2]], extra: 'ignored' },
    { instances: 'no' },
    { rows: [[1]] },
    null,
    [[1, 2]],
    'text',
  ];
  // And random ones: rows of numbers with a few odd values mixed in.
  const odd = [null, '1', true, Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, [1], {}];
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 300; n += 1) {
    const rows = Array.from({ length: Math.floor(random() * 8) }, () =>
      Array.from({ length: Math.floor(random() * 4) }, () =>
        random() < 0.1 ? odd[Math.floor(random() * odd.length)] : (random() - 0.5) * 10 ** Math.floor(random() * 10),
      ),
    );
    bodies.push({ instances: rows });
  }

  it('for every body: taken by the shortcut ⇒ valid for zod with equal instances; all-number rows zod accepts are taken', () => {
    let taken = 0;
    for (const body of bodies) {
      const fast = numericInstances(body, max);
      const parsed = schema.safeParse(body);
      if (fast) {
        taken += 1;
        assert.ok(parsed.success, `zod refuses what the shortcut took: ${JSON.stringify(body)}`);
        assert.deepEqual(fast, parsed.data.instances);
      } else if (parsed.success && parsed.data.instances.every((row) => Array.isArray(row))) {
        assert.fail(`the shortcut missed an all-number body zod accepts: ${JSON.stringify(body)}`);
      }
    }
    assert.ok(taken > 20, `${taken} bodies took the shortcut`);
  });
});
