import type { Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { inExplicitTransaction } from '../db/explicit-transaction.js';
import { DomainError, Forbidden } from '../errors/domain-error.js';
import { logger } from '../platform/logger.js';
import { closeChangeSet } from '../records/history/close-change-set.js';
import { openChangeSet, type OpenChangeSet } from '../records/history/open-change-set.js';
import { appendAuditEvent, type AuditEntry } from './append-audit-event.js';
import { recordRefusal } from './record-refusal.js';

export interface AuditNote {
  recordIds?: ReadonlyArray<string | number>;
  selection?: Record<string, unknown> | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecorder {
  /** Adds to what the event will say (later calls win field by field). */
  note(note: AuditNote): void;
  /**
   * Opens the change-set of this work (once; later calls return the same one): from here on, every
   * change to records in the transaction is recorded with its previous values, and the event carries
   * the change-set's summary and digest. Call it before the first write to records.
   */
  trackRecordChanges(options?: { revertsChangeSetId?: number }): Promise<OpenChangeSet>;
}

/** What the event records as done, and to what. */
export interface AuditedAction {
  action: string;
  resource: string;
}

/** What the work is given: its transaction, and the recorder for what the audit event will say. */
export type AuditedWork<T> = (transaction: Transaction, audit: AuditRecorder) => Promise<T>;

/**
 * Thrown by `work` when nothing was done that is worth an event (the input was refused with a
 * message for the user to fix): the transaction rolls back, no event is recorded, and withAudit
 * rethrows it for the caller to unwrap. Subclass it to carry what the caller needs.
 */
export class NothingDone extends Error {
  constructor() {
    super('nothing done: rolled back without an audit event');
  }
}

/**
 * Runs `work` in a transaction and appends its audit event in the same transaction, so a change
 * without its event (or the reverse) cannot happen. The transaction is ambient: queries made inside
 * join it even when they do not pass it (the AdminJS adapter's). If `work` throws, a `denied`
 * (Forbidden, through recordRefusal) or `failed` event is recorded in a transaction of its own and
 * the error is rethrown (NothingDone: rethrown, no event).
 */
export async function withAudit<T>(actor: Actor, what: AuditedAction, work: AuditedWork<T>): Promise<T> {
  return auditedTransaction(actor, what, work, (inTransaction) => sequelizeOf().transaction(inTransaction));
}

/**
 * withAudit for long work whose transaction must not be ambient (inExplicitTransaction): only the
 * queries given `transaction` run in it, so the work can stream a COPY on its connection while
 * reading other tables, and record a job's progress that others see at once. The write and its
 * audit event still commit together, and a failure is audited the same way.
 */
export async function withAuditExplicitTransaction<T>(
  actor: Actor,
  what: AuditedAction,
  work: AuditedWork<T>,
): Promise<T> {
  return auditedTransaction(actor, what, work, inExplicitTransaction);
}

/** The one rule both flavours follow; they differ only in how the transaction is run. */
async function auditedTransaction<T>(
  actor: Actor,
  what: AuditedAction,
  work: AuditedWork<T>,
  runTransaction: (inTransaction: (transaction: Transaction) => Promise<T>) => Promise<T>,
): Promise<T> {
  const noted: AuditNote = {};
  try {
    return await runTransaction(async (transaction) => {
      let changeSet: Promise<OpenChangeSet> | undefined;
      const audit: AuditRecorder = {
        note: (note) => Object.assign(noted, note),
        trackRecordChanges: (options) => (changeSet ??= openChangeSet(transaction, actor, what.action, options)),
      };
      const result = await work(transaction, audit);
      const summary = changeSet ? await closeChangeSet(transaction, await changeSet) : undefined;
      await appendAuditEvent(
        actor,
        { ...what, ...noted, ...(summary ? { changeSet: summary } : {}), outcome: 'success' },
        transaction,
      );
      return result;
    });
  } catch (error) {
    if (error instanceof NothingDone) throw error;
    await recordFailure(actor, { ...what, ...noted }, error).catch((auditError: unknown) =>
      // The original error is what the caller must see; the lost event must at least be logged.
      logger.error({ err: auditError, action: what.action }, 'could not record a failed action in the audit log'),
    );
    throw error;
  }
}

/**
 * Records an attempt that did not happen, outside the rolled-back transaction: a refusal (Forbidden)
 * through recordRefusal (one format, bounded per minute), anything else as `failed`.
 */
export async function recordFailure(
  actor: Actor,
  entry: Omit<AuditEntry, 'outcome' | 'reason'>,
  error: unknown,
): Promise<void> {
  if (error instanceof Forbidden) return recordRefusal(actor, entry, error);
  // Domain messages are written for users and safe to keep; anything else may hold internals.
  const reason = error instanceof DomainError ? `${error.code}: ${error.message}` : 'internal error';
  await sequelizeOf().transaction((transaction) =>
    appendAuditEvent(actor, { ...entry, outcome: 'failed', reason }, transaction),
  );
}
