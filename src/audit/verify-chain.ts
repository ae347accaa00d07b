import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { withRawConnection } from '../db/raw-connection.js';
import { connectionOf } from '../db/transaction-connection.js';
import { changeSetDigest, changeSetProblem } from '../records/history/change-set-digest.js';
import { GENESIS_HASH, hashEvent, type ChainedContent, type ChangeSetReference } from './hash-chain.js';

/** A (seq, hash) pair kept outside the database, e.g. printed by an earlier verification. */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

export interface ChainReport {
  ok: boolean;
  /** Events verified in order before the first problem (all of them when ok). */
  checked: number;
  /** The last event of the verified chain: keep it elsewhere and pass it as an anchor next time. */
  head: ChainAnchor;
  /** The first sequence number that is missing, out of order, or whose hash does not match. */
  firstBad?: number;
  problem?: string;
  /** Set when verification started after archived events: the archive's boundary. */
  from?: ChainAnchor;
  /** Change-sets whose rows were checked against the digest in their event. */
  changeSets?: number;
}

interface Row extends Omit<ChainedContent, 'at' | 'ip' | 'changeSet'> {
  at: Date;
  ip: string | null;
  hash: string;
  changeSet: unknown;
}

const PAGE = 5_000;

/** A row as stored or exported: its content and its own hash. */
export type ChainedRow = ChainedContent & { hash: string };

/**
 * Checks events one by one in order from a starting point (event 0 with the genesis hash, or an
 * archive boundary): sequence, link to the previous hash, content against its hash, anchors.
 */
export class ChainWalker {
  private expectedSeq: number;
  private prevHash: string;
  private readonly startSeq: number;

  constructor(
    start: ChainAnchor,
    private readonly anchors: ReadonlyMap<number, string> = new Map(),
  ) {
    this.startSeq = start.seq;
    this.expectedSeq = start.seq + 1;
    this.prevHash = start.hash;
  }

  /** How many events were verified so far. */
  get checked(): number {
    return this.expectedSeq - 1 - this.startSeq;
  }

  /** The problem with this event, or undefined when it extends the chain. */
  step(row: ChainedRow): string | undefined {
    const { hash, ...content } = row;
    const seq = this.expectedSeq;
    if (content.seq !== seq) return `sequence number ${seq} is missing (the next event is ${content.seq})`;
    if (content.prevHash !== this.prevHash)
      return `event ${seq} does not link to event ${seq - 1} (previous-hash mismatch)`;
    if (hashEvent(content) !== hash) return `event ${seq} was changed: its content does not match its hash`;
    const anchored = this.anchors.get(seq);
    if (anchored !== undefined && anchored !== hash)
      return `event ${seq} differs from the anchor recorded earlier (${anchored.slice(0, 12)}…)`;
    this.prevHash = hash;
    this.expectedSeq += 1;
    return undefined;
  }

  get last(): ChainAnchor {
    return { seq: this.expectedSeq - 1, hash: this.prevHash };
  }

  broken(problem: string, firstBad = this.expectedSeq): ChainReport {
    return { ok: false, checked: this.checked, head: this.last, firstBad, problem };
  }

  /** Anchors past the end of what was walked mean events were removed after them. */
  anchorBeyondEnd(): number | undefined {
    const beyond = [...this.anchors.keys()].filter((seq) => seq > this.last.seq);
    return beyond.length > 0 ? Math.min(...beyond) : undefined;
  }
}

/**
 * Walks the audit chain in the database in order, recomputing every hash and every change-set's
 * digest from its rows (record_changes), and stops at the first break: a change-set's rows altered,
 * added or removed, a missing or extra sequence number, a broken previous-hash link, content that does not match
 * its hash (edited, inserted, reordered), a tail cut off (the chain head says there were more events),
 * or an anchor from an earlier verification that the chain no longer contains. When old events were
 * archived and removed (docs/audit-log.md, "Retention"), it starts from the archive's recorded boundary.
 */
export async function verifyAuditChain(
  options: { anchors?: readonly ChainAnchor[]; transaction?: Transaction } = {},
): Promise<ChainReport> {
  const sequelize = sequelizeOf();
  const { transaction } = options;
  const anchors = new Map((options.anchors ?? []).map((anchor) => [anchor.seq, anchor.hash]));
  const [present] = await sequelize.query<{ first: number | null }>('SELECT min(seq) AS first FROM audit_events', {
    type: QueryTypes.SELECT,
    transaction,
  });
  const first = present?.first === null || present?.first === undefined ? null : Number(present.first);
  let start: ChainAnchor = { seq: 0, hash: GENESIS_HASH };
  if (first !== null && first > 1) {
    const [boundary] = await sequelize.query<{ hash: string }>(
      'SELECT through_hash AS hash FROM audit_archives WHERE through_seq = :seq',
      { replacements: { seq: first - 1 }, type: QueryTypes.SELECT, transaction },
    );
    if (!boundary)
      return new ChainWalker(start).broken(
        `events 1 to ${first - 1} are missing and no archive records them as archived`,
        1,
      );
    start = { seq: first - 1, hash: boundary.hash };
  }
  const walker = new ChainWalker(start, anchors);
  let changeSets = 0;
  for (;;) {
    const rows = await sequelize.query<Row>(
      `SELECT seq, at, actor_type AS "actorType", actor_id AS "actorId", actor_label AS "actorLabel", actor_role AS "actorRole",
              action, resource, record_ids AS "recordIds", selection, before, after, host(ip) AS ip, user_agent AS "userAgent",
              request_id AS "requestId", outcome, reason, prev_hash AS "prevHash", hash, change_set AS "changeSet"
         FROM audit_events WHERE seq > :after ORDER BY seq LIMIT ${PAGE}`,
      { replacements: { after: walker.last.seq }, type: QueryTypes.SELECT, transaction },
    );
    if (rows.length === 0) break;
    for (const { changeSet, ...row } of rows) {
      const problem = walker.step({
        ...row,
        seq: Number(row.seq),
        at: new Date(row.at).toISOString(),
        ...changeSetKey(changeSet),
      });
      if (problem) return walker.broken(problem);
      if (changeSet !== null) {
        const reference = changeSet as ChangeSetReference;
        const found = await digestInDatabase(reference.id, transaction);
        const changed = changeSetProblem(Number(row.seq), reference, found);
        if (changed) return { ...walker.broken(changed, Number(row.seq)), changeSets };
        changeSets += 1;
      }
    }
  }
  const last = walker.last.seq;
  const [head] = await sequelize.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_chain_head WHERE id = 1',
    { type: QueryTypes.SELECT, transaction },
  );
  if (!head) return walker.broken('the chain head record is missing');
  if (Number(head.seq) > last)
    return walker.broken(`events ${last + 1} to ${head.seq} are missing: the chain ends early (cut off at the end)`);
  if (Number(head.seq) < last || head.hash !== walker.last.hash) {
    return walker.broken(
      `the chain head (event ${head.seq}) does not match the last event ${last}`,
      Math.min(Number(head.seq), last) + 1,
    );
  }
  const beyond = walker.anchorBeyondEnd();
  if (beyond !== undefined)
    return walker.broken(
      `the anchor for event ${beyond} lies beyond the end of the chain (${last}): events were removed`,
    );
  return {
    ok: true,
    checked: walker.checked,
    head: walker.last,
    ...(start.seq > 0 ? { from: start } : {}),
    changeSets,
  };
}

/** The change-set's rows as they are now, digested on the caller's transaction or a pool connection. */
async function digestInDatabase(changeSetId: number, transaction: Transaction | undefined) {
  return transaction
    ? changeSetDigest(connectionOf(transaction), changeSetId)
    : withRawConnection(sequelizeOf(), (client) => changeSetDigest(client, changeSetId));
}

/**
 * The change_set key as the hash covers it: present with whatever was stored (so any edit of it
 * shows), absent when the column is null, as on events written before change-sets existed.
 */
export function changeSetKey(value: unknown): { changeSet?: ChangeSetReference } {
  return value === null || value === undefined ? {} : { changeSet: value as ChangeSetReference };
}

/** "SEQ:HASH" (as printed by verify-audit) → an anchor; throws a message saying the expected form. */
export function parseAnchor(text: string): ChainAnchor {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match)
    throw new Error(
      `"${text}" is not an anchor: use SEQ:HASH as printed by verify-audit, e.g. 1234:9f86d081884c7d65…(64 hex digits).`,
    );
  return { seq: Number(match[1]), hash: match[2]! };
}
