import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that its hash covers: everything but the hash itself. */
export interface ChainedContent {
  seq: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  actorRole: string | null;
  action: string;
  resource: string;
  recordIds: string[];
  selection: unknown;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  outcome: string;
  reason: string | null;
  prevHash: string;
  /**
   * The change-set the event recorded (its digest covers every before/after row). Present only on
   * events that have one: absent, not null, so the hashes of events written before it existed hold.
   */
  changeSet?: ChangeSetReference;
}

/** What an audit event says of its change-set. */
export interface ChangeSetReference {
  id: number;
  records: number;
  fields: string[];
  digest: string;
}

/**
 * sha256 over the RFC 8785 canonical JSON of the event, which includes the previous event's hash:
 * editing, deleting, inserting or reordering any event breaks every hash after it.
 */
export function hashEvent(content: ChainedContent): string {
  const canonical = canonicalize(content);
  if (canonical === undefined) throw new Error('Audit event content cannot be canonicalised');
  return createHash('sha256').update(canonical).digest('hex');
}
