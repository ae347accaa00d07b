import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describeReviewed, describeSince } from '../../../src/ml/reviewed/reviewed-report.js';
import { isHeldOutReviewed, REVIEWED_HOLD_OUT_SHARE, splitReviewed } from '../../../src/ml/reviewed/reviewed-sample.js';

describe('the held-out reviewed sample and its report', () => {
  it('holds out about 20% of records, by a hash of the id alone', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => i + 1);
    const held = ids.filter(isHeldOutReviewed);
    assert.equal(REVIEWED_HOLD_OUT_SHARE, 0.2);
    assert.ok(Math.abs(held.length / ids.length - 0.2) < 0.01, `${held.length} of ${ids.length}`);
    // The rule written out: sha256 of the prefixed id, its first 32 bits below 0.2 · 2³².
    for (const id of [1, 2, 3, 42, 1_000_003, 9_007_199_254_740_991])
      assert.equal(
        isHeldOutReviewed(id),
        createHash('sha256').update(`modeldesk.reviewed-hold-out:${id}`).digest().readUInt32BE(0) < 858_993_459.2,
        `record ${id}`,
      );
  });

  it('splits rows without reordering them, and a row is held out whatever else is in the list', () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: 1_000 + i * 7 }));
    const { learnFrom, heldOut } = splitReviewed(rows);
    assert.equal(learnFrom.length + heldOut.length, rows.length);
    assert.deepEqual(
      heldOut,
      rows.filter((r) => isHeldOutReviewed(r.id)),
    );
    assert.deepEqual(
      learnFrom,
      rows.filter((r) => !isHeldOutReviewed(r.id)),
    );
    const alone = splitReviewed(rows.slice(0, 50).reverse());
    assert.deepEqual(
      alone.heldOut.map((r) => r.id),
      heldOut
        .filter((r) => rows.indexOf(r) < 50)
        .map((r) => r.id)
        .reverse(),
    );
  });

  it('says what a version learned from and how it did, in one sentence', () => {
    assert.equal(describeSince({ since: '2026-12-07T22:33:39.906Z' }), 'since 2026-12-07 22:33 UTC');
    assert.equal(
      describeSince({ since: '2026-12-07T22:33:39.906Z', sinceVersion: 3 }),
      'since v3 was created (2026-12-07 22:33 UTC)',
    );
    assert.equal(
      describeReviewed({
        since: '2026-12-01T00:00:00.000Z',
        learnedFrom: 240,
        heldOut: 60,
        metrics: {
          rows: 60,
          accuracy: 0.81666,
          macroF1: 0.81413,
          calibration: { logLoss: 0.45756, brier: 0.27602, ece: 0.13872 },
        },
      }),
      'Learned from 240 reviewed record(s) labelled through a review queue since 2026-12-01 00:00 UTC; on 60 held-out reviewed record(s), never trained on: accuracy 81.7%, macro F1 0.814, log loss 0.4576, Brier 0.2760, ECE 0.1387.',
    );
    assert.equal(
      describeReviewed({
        since: '2026-12-01T00:00:00.000Z',
        learnedFrom: 3,
        heldOut: 0,
        metrics: null,
        note: 'none fell in the held-out 20%',
      }),
      'Learned from 3 reviewed record(s) labelled through a review queue since 2026-12-01 00:00 UTC; 0 held out: none fell in the held-out 20%.',
    );
  });
});
