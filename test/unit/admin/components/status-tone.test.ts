import assert from 'node:assert/strict';
import { statusTone } from '../../../../admin/components/status-tone.js';

describe('statusTone', () => {
  it('colours outcomes by meaning: success green, failures red, work in progress blue', () => {
    assert.equal(statusTone('succeeded'), 'success');
    assert.equal(statusTone('success'), 'success');
    assert.equal(statusTone('verified'), 'success');
    assert.equal(statusTone('failed'), 'danger');
    assert.equal(statusTone('denied'), 'danger');
    assert.equal(statusTone('broken'), 'danger');
    assert.equal(statusTone('running'), 'info');
    assert.equal(statusTone('queued'), 'primary');
  });

  it('keeps ended-without-outcome and unknown statuses neutral, whatever their case', () => {
    assert.equal(statusTone('cancelled'), 'default');
    assert.equal(statusTone('Revoked'), 'default');
    assert.equal(statusTone(' FAILED '), 'danger');
    assert.equal(statusTone('something new'), 'default');
    assert.equal(statusTone(null), 'default');
    assert.equal(statusTone(''), 'default');
  });
});
