import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { GENESIS_HASH, hashEvent, type ChainedContent } from './hash-chain.js';

export interface ChainReport {
  ok: boolean;
  checked: number;
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

/** Walks the whole audit chain in order, recomputing every hash; stops at the first break. */
export async function verifyAuditChain(): Promise<ChainReport> {
  const sequelize = sequelizeOf();
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows = await sequelize.query<Row>(
      `SELECT seq, at, actor_type AS "actorType", actor_id AS "actorId", actor_label AS "actorLabel", actor_role AS "actorRole",
              action, resource, record_ids AS "recordIds", selection, before, after, host(ip) AS ip, user_agent AS "userAgent",
              request_id AS "requestId", outcome, reason, prev_hash AS "prevHash", hash
         FROM audit_events WHERE seq >= :from ORDER BY seq LIMIT ${PAGE}`,
      { replacements: { from: expectedSeq }, type: QueryTypes.SELECT },
    );
    if (rows.length === 0) return { ok: true, checked: expectedSeq - 1 };
    for (const { hash, ...row } of rows) {
      if (Number(row.seq) !== expectedSeq) return { ok: false, checked: expectedSeq - 1, firstBad: expectedSeq, problem: `sequence number ${expectedSeq} is missing` };
      if (row.prevHash !== prevHash) return { ok: false, checked: expectedSeq - 1, firstBad: expectedSeq, problem: 'previous-hash link is broken' };
      const content: ChainedContent = { ...row, seq: Number(row.seq), at: new Date(row.at).toISOString() };
      if (hashEvent(content) !== hash) return { ok: false, checked: expectedSeq - 1, firstBad: expectedSeq, problem: 'content does not match its hash' };
      prevHash = hash;
      expectedSeq += 1;
    }
  }
}
