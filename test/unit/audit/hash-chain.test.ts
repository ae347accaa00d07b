import assert from 'node:assert/strict';
import { GENESIS_HASH, hashEvent, type ChainedContent } from '../../../src/audit/hash-chain.js';

const event: ChainedContent = {
  seq: 1,
  at: '2026-11-25T10:00:00.000Z',
  actorType: 'user',
  actorId: '1',
  actorLabel: 'a@example.com',
  actorRole: 'admin',
  action: 'records.update',
  resource: 'records',
  recordIds: ['5'],
  selection: null,
  before: { label: 'ham' },
  after: { label: 'spam' },
  ip: '127.0.0.1',
  userAgent: 'test',
  requestId: 'r1',
  outcome: 'success',
  reason: null,
  prevHash: GENESIS_HASH,
};

describe('audit hash chain', () => {
  it('is a sha256 hex digest that ignores key order', () => {
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as unknown as ChainedContent;
    assert.match(hashEvent(event), /^[0-9a-f]{64}$/);
    assert.equal(hashEvent(reordered), hashEvent(event));
  });

  it('changes when any field or the previous hash changes', () => {
    const base = hashEvent(event);
    assert.notEqual(hashEvent({ ...event, after: { label: 'ham' } }), base);
    assert.notEqual(hashEvent({ ...event, seq: 2 }), base);
    assert.notEqual(hashEvent({ ...event, prevHash: 'f'.repeat(64) }), base);
  });

  it('covers a change-set reference when there is one, and hashes events without one as before change-sets existed', () => {
    // The hash of this event as written before change-sets existed (content with no changeSet key).
    assert.equal(hashEvent(event), '9e6f11d2587f791cd422f02b67465efa595ef2354bf4da690c6cdaf37e94ed33');
    const changeSet = { id: 7, records: 2, fields: ['label'], digest: 'a'.repeat(64) };
    const withChangeSet = hashEvent({ ...event, changeSet });
    assert.notEqual(withChangeSet, hashEvent(event));
    assert.notEqual(hashEvent({ ...event, changeSet: { ...changeSet, digest: 'b'.repeat(64) } }), withChangeSet);
  });
});
