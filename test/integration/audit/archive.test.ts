import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { AuditEvent, sequelizeOf } from '../../../models/index.js';
import { archiveAuditEvents } from '../../../src/audit/archive-audit.js';
import { verifyArchiveFile } from '../../../src/audit/verify-archive-file.js';
import { verifyAuditChain, type ChainReport } from '../../../src/audit/verify-chain.js';
import { withAudit } from '../../../src/audit/with-audit.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { useTestDatabase } from '../../support/database.js';

/** Removes rows as a DBA would (triggers off), verifies, and rolls the removal back. */
async function verifyAfterRemoving(through: number): Promise<ChainReport> {
  const sequelize = sequelizeOf();
  const transaction = await sequelize.transaction();
  try {
    await sequelize.query('SET LOCAL session_replication_role = replica', { transaction });
    await sequelize.query('DELETE FROM audit_events WHERE seq <= :through', { replacements: { through }, transaction });
    return await verifyAuditChain({ transaction });
  } finally {
    await transaction.rollback();
  }
}

describe('audit retention: archive old events to a file, keep the chain verifiable (real Postgres)', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-archive-'));
  const system = { type: 'system' } as const;
  let through: number;
  let file: string;

  before(async () => {
    await useTestDatabase();
    for (let i = 0; i < 5; i += 1)
      await withAudit(system, { action: 'records.update', resource: 'records' }, async (_t, audit) =>
        audit.note({ recordIds: [i] }),
      );
    through = (await verifyAuditChain()).head.seq - 2;
    file = path.join(folder, 'archive.jsonl');
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('writes the oldest events with their hashes, records the boundary, and the file verifies on its own', async () => {
    const out = fs.createWriteStream(file);
    const result = await archiveAuditEvents({ type: 'cli', osUser: 'dba' }, through, out);
    out.end();
    await new Promise<void>((resolve) => out.on('close', () => resolve()));
    assert.equal(result.boundary.seq, through);
    assert.equal(result.events, fs.readFileSync(file, 'utf8').trim().split('\n').length);
    const fileReport = await verifyArchiveFile(file);
    assert.equal(fileReport.ok, true, fileReport.problem);
    assert.deepEqual(fileReport.head, result.boundary);
    const [row] = await sequelizeOf().query<{ hash: string }>(
      'SELECT through_hash AS hash FROM audit_archives WHERE through_seq = :through',
      { replacements: { through }, type: QueryTypes.SELECT },
    );
    assert.equal(row?.hash, result.boundary.hash);
    assert.ok(await AuditEvent.findOne({ where: { action: 'audit.archive', actorLabel: 'cli:dba' } }));
  });

  it('verifies the database from the boundary once the archived rows are gone, and only from a recorded boundary', async () => {
    const fromBoundary = await verifyAfterRemoving(through);
    assert.equal(fromBoundary.ok, true, fromBoundary.problem);
    assert.equal(fromBoundary.from?.seq, through);
    const tooFew = await verifyAfterRemoving(through - 1);
    assert.deepEqual([tooFew.ok, tooFew.firstBad], [false, 1]);
    assert.match(tooFew.problem!, /no archive records them/);
    const tooMany = await verifyAfterRemoving(through + 1);
    assert.equal(tooMany.ok, false);
  });

  it('detects an edited archive file, and refuses to archive again over the same range or as a non-admin', async () => {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const edited = JSON.parse(lines[1]!) as Record<string, unknown>;
    edited.actorLabel = 'someone else';
    lines[1] = JSON.stringify(edited);
    const tampered = path.join(folder, 'tampered.jsonl');
    fs.writeFileSync(tampered, `${lines.join('\n')}\n`);
    const report = await verifyArchiveFile(tampered);
    assert.deepEqual([report.ok, report.firstBad], [false, 2]);
    await assert.rejects(
      archiveAuditEvents(system, through, fs.createWriteStream(path.join(folder, 'again.jsonl'))),
      (error: unknown) => error instanceof InvalidInput && /archived already/.test(error.message),
    );
    await assert.rejects(
      archiveAuditEvents(
        { type: 'user', id: 1, email: 'a@example.com', role: 'auditor' },
        through + 1,
        fs.createWriteStream(path.join(folder, 'x.jsonl')),
      ),
      Forbidden,
    );
  });
});
