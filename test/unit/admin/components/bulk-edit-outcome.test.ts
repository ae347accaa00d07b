import assert from 'node:assert/strict';
import { bulkEditApplied, bulkEditOutcome } from '../../../../admin/components/bulk-edit-outcome.js';

describe('bulk-edit messages', () => {
  it('reads the preview as one sentence, naming unchanged records only when there are some', () => {
    assert.equal(
      bulkEditOutcome({ matching: 5, changing: 3, invalid: null }),
      '3 of 5 records will change; 2 already have these values.',
    );
    assert.equal(bulkEditOutcome({ matching: 3, changing: 3, invalid: null }), '3 records will change.');
    assert.equal(
      bulkEditOutcome({ matching: 2, changing: 1, invalid: null }),
      '1 of 2 records will change; 1 already has these values.',
    );
    assert.equal(
      bulkEditOutcome({ matching: 4, changing: 0, invalid: null }),
      'None of the 4 records will change: all already have these values.',
    );
    assert.equal(bulkEditOutcome({ matching: 0, changing: 0, invalid: null }), 'No records match: nothing to change.');
    assert.doesNotMatch(
      bulkEditOutcome({ matching: 3, changing: 3, invalid: { count: 3 } }),
      /would change|will change;/,
    );
  });

  it('says what an applied edit did without "the others" when there were none', () => {
    assert.equal(bulkEditApplied({ matching: 5, changed: 3 }), 'Changed 3 of 5 records; 2 already had these values.');
    assert.equal(bulkEditApplied({ matching: 1, changed: 1 }), 'Changed 1 record.');
    assert.equal(
      bulkEditApplied({ matching: 2, changed: 0 }),
      'Nothing changed: the 2 records already had these values.',
    );
  });
});
