import { AuditEvent } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { Forbidden } from '../errors/domain-error.js';
import { recordFailure, withAudit } from './with-audit.js';
import { verifyAuditChain, type ChainAnchor, type ChainReport } from './verify-chain.js';

/**
 * Verifies the audit chain for an auditor, an admin or the CLI, and records that it was checked and
 * what was found (audit.verify) — itself a link in the chain, so later checks show earlier ones.
 */
export async function verifyAndRecord(actor: Actor, anchors: readonly ChainAnchor[] = []): Promise<ChainReport> {
  if (decide(actor, 'auditEvents', 'verify') !== true) {
    const error = new Forbidden('audit.verify_forbidden', 'Only auditors and admins verify the audit log.');
    await recordFailure(actor, { action: 'audit.verify', resource: 'auditEvents' }, error);
    throw error;
  }
  const report = await verifyAuditChain({ anchors });
  await withAudit(actor, { action: 'audit.verify', resource: 'auditEvents' }, async (_transaction, audit) => {
    audit.note({ selection: { anchors: anchors.length }, after: report });
  });
  return report;
}

/** The last successful verification (audit.verify): when, by whom, and what it found. */
export async function lastVerification(): Promise<{ seq: number; at: Date; by: string; report: unknown } | null> {
  const last = await AuditEvent.findOne({
    where: { action: 'audit.verify', outcome: 'success' },
    order: [['seq', 'DESC']],
  });
  return last ? { seq: last.seq, at: last.at, by: last.actorLabel, report: last.after } : null;
}
