import { createHash } from 'node:crypto';
import { Transform, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Op, QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { actorLabel } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';
import { writeAuditEvents } from './export-audit-events.js';
import { verifyAuditChain, type ChainAnchor } from './verify-chain.js';
import { recordFailure, withAudit } from './with-audit.js';

export interface ArchiveResult {
  firstSeq: number;
  events: number;
  /** The last archived event: verification of what stays in the database starts after it. */
  boundary: ChainAnchor;
  fileSha256: string;
}

/**
 * Writes the oldest events, up to and including `throughSeq`, as JSON lines (every column, hashes
 * included, so the file verifies on its own: `verify-audit --file`), after checking the chain is
 * intact, and records the boundary in audit_archives and the audit log. Deleting the archived rows is
 * left to a DBA (the app's database role cannot), following docs/audit-log.md "Retention"; verification then
 * starts at the boundary.
 */
export async function archiveAuditEvents(actor: Actor, throughSeq: number, out: Writable): Promise<ArchiveResult> {
  if (decide(actor, 'auditEvents', 'archive') !== true) {
    const error = new Forbidden('audit.archive_forbidden', 'Only admins archive the audit log.');
    await recordFailure(actor, { action: 'audit.archive', resource: 'auditEvents' }, error);
    throw error;
  }
  if (!Number.isInteger(throughSeq) || throughSeq < 1)
    throw new InvalidInput(
      'audit.archive_range',
      'Give the last event to archive as a positive sequence number, e.g. --through 100000.',
    );
  const report = await verifyAuditChain();
  if (!report.ok)
    throw new InvalidInput(
      'audit.chain_broken',
      `The audit chain is broken at event ${report.firstBad} (${report.problem}); investigate before archiving.`,
    );
  if (throughSeq > report.head.seq)
    throw new InvalidInput(
      'audit.archive_range',
      `The log ends at event ${report.head.seq}; archive at most that far.`,
    );
  const sequelize = sequelizeOf();
  const [previous] = await sequelize.query<{ through: number | null }>(
    'SELECT max(through_seq) AS through FROM audit_archives',
    { type: QueryTypes.SELECT },
  );
  const [present] = await sequelize.query<{ first: number | null }>('SELECT min(seq) AS first FROM audit_events', {
    type: QueryTypes.SELECT,
  });
  const firstSeq = Number(present?.first ?? 1);
  if (previous?.through && throughSeq <= Number(previous.through)) {
    throw new InvalidInput(
      'audit.archive_range',
      `Events up to ${previous.through} are archived already; choose a later --through.`,
    );
  }
  // The file's sha256 as written, recorded with the boundary so the archive can be checked later.
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  hashing.pipe(out, { end: false });
  let last: ChainAnchor | undefined;
  const events = await writeAuditEvents({ seq: { [Op.lte]: throughSeq } }, 'jsonl', hashing, (event) => {
    last = { seq: Number(event.seq), hash: String(event.hash) };
  });
  hashing.end();
  await finished(hashing);
  if (!last || last.seq !== throughSeq)
    throw new InvalidInput('audit.archive_range', `Event ${throughSeq} is not in the database (already removed?).`);
  const boundary = last;
  const fileSha256 = hash.digest('hex');
  await withAudit(actor, { action: 'audit.archive', resource: 'auditEvents' }, async (transaction, audit) => {
    await sequelize.query(
      'INSERT INTO audit_archives (through_seq, through_hash, first_seq, file_sha256, archived_by) VALUES (:through, :hash, :first, :sha, :by)',
      {
        replacements: {
          through: boundary.seq,
          hash: boundary.hash,
          first: firstSeq,
          sha: fileSha256,
          by: actorLabel(actor),
        },
        transaction,
      },
    );
    audit.note({ selection: { firstSeq, throughSeq }, after: { events, boundary, fileSha256 } });
  });
  return { firstSeq, events, boundary, fileSha256 };
}
