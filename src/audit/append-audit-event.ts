import { QueryTypes, type Transaction } from 'sequelize';
import { AuditEvent, sequelizeOf } from '../../models/index.js';
import type { AuditOutcome } from '../../models/enums.js';
import { actorId, actorLabel, roleOf, type Actor } from '../access/actor.js';
import { currentRequestContext, normaliseIp } from '../platform/request-context.js';
import { GENESIS_HASH, hashEvent, type ChainedContent, type ChangeSetReference } from './hash-chain.js';

/** Serialises appends so the chain has no gaps or forks; held only until the transaction ends. */
const AUDIT_CHAIN_LOCK_KEY = 0x6d64_6175; // "mdau"

export interface AuditEntry {
  action: string;
  resource: string;
  recordIds?: ReadonlyArray<string | number>;
  selection?: Record<string, unknown> | null;
  before?: unknown;
  after?: unknown;
  outcome: AuditOutcome;
  reason?: string | null;
  /** The change-set the work recorded (closeChangeSet's summary); its row gets this event's seq. */
  changeSet?: ChangeSetReference;
}

/**
 * Appends one hash-chained event inside `transaction`, so it commits or rolls back with the change it
 * describes, and moves the chain head (audit_chain_head) to it. Call it last in the transaction: the
 * chain lock is held from here until commit.
 */
export async function appendAuditEvent(actor: Actor, entry: AuditEntry, transaction: Transaction): Promise<AuditEvent> {
  const sequelize = sequelizeOf();
  await sequelize.query('SELECT pg_advisory_xact_lock(:key)', {
    replacements: { key: AUDIT_CHAIN_LOCK_KEY },
    transaction,
  });
  const [last] = await sequelize.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    { type: QueryTypes.SELECT, transaction },
  );
  const context = currentRequestContext();
  const content: ChainedContent = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actorType: actor.type,
    actorId: actorId(actor),
    actorLabel: actorLabel(actor),
    actorRole: roleOf(actor) ?? null,
    action: entry.action,
    resource: entry.resource,
    recordIds: (entry.recordIds ?? []).map(String),
    selection: toJson(entry.selection),
    before: toJson(entry.before),
    after: toJson(entry.after),
    ip: normaliseIp(context?.ip) ?? null,
    userAgent: context?.userAgent?.slice(0, 512) ?? null,
    requestId: context?.requestId || null,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    prevHash: last?.hash ?? GENESIS_HASH,
    ...(entry.changeSet ? { changeSet: changeSetReference(entry.changeSet) } : {}),
  };
  const hash = hashEvent(content);
  if (content.changeSet)
    await sequelize.query('UPDATE change_sets SET audit_seq = :seq WHERE id = :id', {
      replacements: { seq: content.seq, id: content.changeSet.id },
      transaction,
    });
  await sequelize.query('UPDATE audit_chain_head SET seq = :seq, hash = :hash, updated_at = now()', {
    replacements: { seq: content.seq, hash },
    transaction,
  });
  return AuditEvent.create(
    {
      ...content,
      at: new Date(content.at),
      actorType: actor.type,
      outcome: entry.outcome,
      selection: content.selection as Record<string, unknown> | null,
      changeSet: content.changeSet ?? null,
      hash,
    },
    { transaction },
  );
}

/** Only the reference's own keys, in the shape verification reads back from the column. */
function changeSetReference({ id, records, fields, digest }: ChangeSetReference): ChangeSetReference {
  return { id, records, fields: [...fields], digest };
}

/** Exactly what JSONB will store and return (dates as ISO strings, no undefined), or null. */
function toJson(value: unknown): unknown {
  return value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));
}
