import assert from 'node:assert/strict';
import { SharedCounters } from '../../../src/api/throttle/shared-counters.js';
import { unique, useTestDatabase } from '../../support/database.js';

describe('API throttling counters shared through Postgres', () => {
  it('two processes (two counter sets) share one limit once they have synced', async () => {
    const sequelize = await useTestDatabase();
    const a = new SharedCounters(sequelize);
    const b = new SharedCounters(sequelize);
    const key = unique('key');
    const now = Date.now();
    for (let i = 0; i < 6; i += 1) assert.equal(a.consume(key, 10, now).allowed, true);
    await a.sync();
    // B has not heard of A's 6 yet: it must sync (it does, 5× a second) before it knows.
    assert.equal(b.consume(key, 10, now).allowed, true);
    await b.sync();
    const verdicts = Array.from({ length: 5 }, () => b.consume(key, 10, now));
    assert.deepEqual(
      verdicts.map((v) => v.allowed),
      [true, true, true, false, false],
      'A 6 + B 1 synced, then 3 more fit under 10',
    );
    assert.equal(verdicts[3]!.remaining, 0);
    assert.ok(verdicts[3]!.retryAfterSeconds >= 1);
    await b.sync();
    await a.sync();
    assert.equal(a.consume(key, 10, now).allowed, false, "A now sees B's requests too");
  });

  it('a sliding window: the previous minute counts in proportion to how much of it is still inside the last 60 s', async () => {
    const sequelize = await useTestDatabase();
    const counters = new SharedCounters(sequelize);
    const key = unique('key');
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    for (let i = 0; i < 10; i += 1) assert.equal(counters.consume(key, 10, minute + 50_000).allowed, true);
    assert.equal(counters.consume(key, 10, minute + 59_000).allowed, false);
    // 15 s into the next minute, 75% of the previous one still counts: 7.5 of 10 used, 2 more fit.
    const next = minute + 60_000 + 15_000;
    assert.deepEqual(
      [1, 2, 3].map(() => counters.consume(key, 10, next).allowed),
      [true, true, false],
    );
    // Half a minute later only 25% counts: 2.5 + 2 = 4.5, so 5 more fit.
    const later = minute + 60_000 + 45_000;
    assert.deepEqual(
      Array.from({ length: 6 }, () => counters.consume(key, 10, later).allowed),
      [true, true, true, true, true, false],
    );
  });
});
