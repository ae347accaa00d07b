import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { GENESIS_HASH, hashEvent, type ChainedContent } from './hash-chain.js';

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
}

interface Row extends Omit<ChainedContent, 'at' | 'ip'> {
  at: Date;
  ip: string | null;
  hash: string;
}

const PAGE = 5_000;

/**
 * Walks the whole audit chain in order, recomputing every hash, and stops at the first break: a
 * missing or extra sequence number, a broken previous-hash link, content that does not match its
 * hash (edited, inserted, reordered), a tail cut off (the chain head says there were more events),
 * or an anchor from an earlier verification that the chain no longer contains.
 */
export async function verifyAuditChain(options: { anchors?: readonly ChainAnchor[]; transaction?: Transaction } = {}): Promise<ChainReport> {
  const sequelize = sequelizeOf();
  const { transaction } = options;
  const anchors = new Map((options.anchors ?? []).map((anchor) => [anchor.seq, anchor.hash]));
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  const broken = (problem: string): ChainReport => ({ ok: false, checked: expectedSeq - 1, head: { seq: expectedSeq - 1, hash: prevHash }, firstBad: expectedSeq, problem });
  for (;;) {
    const rows = await sequelize.query<Row>(
      `SELECT seq, at, actor_type AS "actorType", actor_id AS "actorId", actor_label AS "actorLabel", actor_role AS "actorRole",
              action, resource, record_ids AS "recordIds", selection, before, after, host(ip) AS ip, user_agent AS "userAgent",
              request_id AS "requestId", outcome, reason, prev_hash AS "prevHash", hash
         FROM audit_events WHERE seq >= :from ORDER BY seq LIMIT ${PAGE}`,
      { replacements: { from: expectedSeq }, type: QueryTypes.SELECT, transaction },
    );
    if (rows.length === 0) break;
    for (const { hash, ...row } of rows) {
      if (Number(row.seq) !== expectedSeq) return broken(`sequence number ${expectedSeq} is missing (the next event is ${row.seq})`);
      if (row.prevHash !== prevHash) return broken(`event ${expectedSeq} does not link to event ${expectedSeq - 1} (previous-hash mismatch)`);
      const content: ChainedContent = { ...row, seq: Number(row.seq), at: new Date(row.at).toISOString() };
      if (hashEvent(content) !== hash) return broken(`event ${expectedSeq} was changed: its content does not match its hash`);
      const anchored = anchors.get(expectedSeq);
      if (anchored !== undefined && anchored !== hash) return broken(`event ${expectedSeq} differs from the anchor recorded earlier (${anchored.slice(0, 12)}…)`);
      prevHash = hash;
      expectedSeq += 1;
    }
  }
  const last = expectedSeq - 1;
  const [head] = await sequelize.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1', { type: QueryTypes.SELECT, transaction });
  if (!head) return broken('the chain head record is missing');
  if (Number(head.seq) > last) return broken(`events ${last + 1} to ${head.seq} are missing: the chain ends early (cut off at the end)`);
  if (Number(head.seq) < last || head.hash !== prevHash) {
    return { ...broken(`the chain head (event ${head.seq}) does not match the last event ${last}`), firstBad: Math.min(Number(head.seq), last) + 1 };
  }
  const beyond = [...anchors.keys()].filter((seq) => seq > last);
  if (beyond.length > 0) return broken(`the anchor for event ${Math.min(...beyond)} lies beyond the end of the chain (${last}): events were removed`);
  return { ok: true, checked: last, head: { seq: last, hash: prevHash } };
}

/** "SEQ:HASH" (as printed by verify-audit) → an anchor; throws a message saying the expected form. */
export function parseAnchor(text: string): ChainAnchor {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not an anchor: use SEQ:HASH as printed by verify-audit, e.g. 1234:9f86d081884c7d65…(64 hex digits).`);
  return { seq: Number(match[1]), hash: match[2]! };
}
