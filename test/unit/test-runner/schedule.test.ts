import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { coreShare, knownCosts, mostlyWaits, runPool } from '../../runner/schedule.js';

describe('test runner schedule', () => {
  it('weighs a file by the share of a core it kept busy, a file never measured as a whole core', () => {
    assert.equal(coreShare(undefined), 1);
    assert.equal(coreShare({ seconds: 120 }), 1);
    assert.ok(Math.abs(coreShare({ seconds: 100, cpuSeconds: 10 }) - 0.2) < 1e-9); // mostly waiting
    assert.ok(Math.abs(coreShare({ seconds: 10, cpuSeconds: 9 }) - 1) < 1e-9);
    // Measured in a crowded run: 10 of its 20 s it waited for a core, so alone it keeps one busy.
    assert.ok(Math.abs(coreShare({ seconds: 20, cpuSeconds: 10, waitSeconds: 10 }) - 1.1) < 1e-9);
    assert.equal(mostlyWaits({ seconds: 100, cpuSeconds: 10, waitSeconds: 2 }), true);
    assert.equal(mostlyWaits({ seconds: 20, cpuSeconds: 10, waitSeconds: 10 }), false);
    assert.equal(mostlyWaits(undefined), false);
  });

  it('reads costs written with CPU and wait seconds and those written before, the first file winning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-'));
    try {
      const last = path.join(dir, 'last.json');
      const committed = path.join(dir, 'committed.json');
      fs.writeFileSync(last, JSON.stringify({ 'unit/a': { seconds: 3, cpuSeconds: 1.5, waitSeconds: 0.5 } }));
      fs.writeFileSync(committed, JSON.stringify({ 'unit/a': 99, 'unit/b': 7, 'unit/c': 'junk' }));
      const costs = knownCosts([last, committed, path.join(dir, 'missing.json')]);
      assert.deepEqual(Object.fromEntries(costs), {
        'unit/a': { seconds: 3, cpuSeconds: 1.5, waitSeconds: 0.5 },
        'unit/b': { seconds: 7 },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts items while the admission rule allows, lets a later one that fits go ahead, and runs each once', async () => {
    const weight: Record<string, number> = { heavy1: 1, heavy2: 1, light1: 0.2, light2: 0.2, light3: 0.2 };
    const started: string[] = [];
    let load = 0;
    let maxLoad = 0;
    const results = await runPool(
      ['heavy1', 'heavy2', 'light1', 'light2', 'light3'],
      10,
      async (item) => {
        started.push(item);
        load += weight[item]!;
        maxLoad = Math.max(maxLoad, load);
        await sleep(item.startsWith('heavy') ? 30 : 5);
        load -= weight[item]!;
        return item.toUpperCase();
      },
      (item, running) => running.reduce((sum, other) => sum + weight[other]!, weight[item]!) <= 1.5,
    );
    assert.deepEqual([...results].sort(), ['HEAVY1', 'HEAVY2', 'LIGHT1', 'LIGHT2', 'LIGHT3']);
    assert.ok(maxLoad <= 1.5 + 1e-9, `load ${maxLoad} went over the budget`);
    // heavy2 did not fit beside heavy1: the light ones went ahead of it.
    assert.deepEqual(started.slice(0, 2), ['heavy1', 'light1']);
    assert.ok(started.indexOf('heavy2') > started.indexOf('light2'));
  });

  it('starts an item the rule refuses when nothing else runs, and respects the most at once', async () => {
    let running = 0;
    let most = 0;
    await runPool(
      [1, 2, 3, 4, 5, 6],
      2,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(2);
        running -= 1;
      },
      () => true,
    );
    assert.equal(most, 2);
    const order: number[] = [];
    await runPool(
      [1, 2],
      4,
      async (item) => void order.push(item),
      () => false,
    );
    assert.deepEqual(order, [1, 2]);
  });
});
