import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import { withAudit } from '../../../src/audit/with-audit.js';
import { verifyAuditChain, type ChainReport } from '../../../src/audit/verify-chain.js';
import { useTestDatabase } from '../../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

/**
 * Tampers with the audit log as a database superuser would — triggers switched off with
 * session_replication_role = replica — inside a transaction that is rolled back afterwards, and
 * returns what verification sees in the tampered state.
 */
async function verifyAfterTampering(...statements: string[]): Promise<ChainReport> {
  const sequelize = sequelizeOf();
  const transaction = await sequelize.transaction();
  try {
    await sequelize.query('SET LOCAL session_replication_role = replica', { transaction });
    for (const sql of statements) await sequelize.query(sql, { transaction });
    return await verifyAuditChain({ transaction });
  } finally {
    await transaction.rollback();
  }
}

describe('audit chain: tampering in SQL as a superuser is detected (real Postgres)', () => {
  let last: number;
  let k: number;

  before(async () => {
    await useTestDatabase();
    const [role] = await sequelizeOf().query<{ superuser: boolean }>(
      'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
      { type: QueryTypes.SELECT },
    );
    assert.ok(role?.superuser, 'these tests tamper as a superuser');
    for (let i = 0; i < 12; i += 1) {
      await withAudit({ type: 'system' }, { action: 'records.update', resource: 'records' }, async (_t, audit) =>
        audit.note({ recordIds: [i], before: { label: 'ham' }, after: { label: 'spam' } }),
      );
    }
    const report = await verifyAuditChain();
    assert.equal(report.ok, true, report.problem);
    last = report.checked;
    k = last - 6;
  });

  it('an intact chain verifies, and the database refuses changes to it without superuser tricks', async () => {
    const report = await verifyAuditChain();
    assert.equal(report.ok, true);
    assert.ok(report.checked >= last);
    await assert.rejects(sequelizeOf().query(`UPDATE audit_events SET reason = 'x' WHERE seq = ${k}`), /append-only/);
    await assert.rejects(sequelizeOf().query(`DELETE FROM audit_events WHERE seq = ${k}`), /append-only/);
    await assert.rejects(sequelizeOf().query('TRUNCATE audit_events'), /append-only/);
    await assert.rejects(sequelizeOf().query('UPDATE audit_chain_head SET seq = seq - 1'), /only moves forward/);
  });

  it('stays gap-free and verifiable with 16 writers appending at once', async () => {
    const before = (await verifyAuditChain()).checked;
    await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        for (let i = 0; i < 20; i += 1) {
          await withAudit({ type: 'system' }, { action: 'records.update', resource: 'records' }, async (_t, audit) =>
            audit.note({ recordIds: [writer * 100 + i] }),
          );
        }
      }),
    );
    const report = await verifyAuditChain();
    assert.equal(report.ok, true, report.problem);
    assert.ok(report.checked >= before + 320);
  });

  it('detects an edited event', async () => {
    const report = await verifyAfterTampering(`UPDATE audit_events SET after = '{"label": "ham"}' WHERE seq = ${k}`);
    assert.equal(report.ok, false);
    assert.equal(report.firstBad, k);
    assert.match(report.problem!, /was changed/);
    assert.equal(report.checked, k - 1, 'everything before it is vouched for');
  });

  it('detects a deleted event', async () => {
    const report = await verifyAfterTampering(`DELETE FROM audit_events WHERE seq = ${k}`);
    assert.deepEqual([report.ok, report.firstBad], [false, k]);
    assert.match(report.problem!, new RegExp(`sequence number ${k} is missing`));
  });

  it('detects an inserted event, in the middle (later ones renumbered) or at the end', async () => {
    const middle = await verifyAfterTampering(
      `UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= ${k}`,
      `UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000`,
      `INSERT INTO audit_events (seq, at, actor_type, actor_label, action, resource, outcome, prev_hash, hash)
         SELECT ${k}, at, 'system', 'system', 'records.delete', 'records', 'success', prev_hash, hash FROM audit_events WHERE seq = ${k + 1}`,
    );
    assert.deepEqual([middle.ok, middle.firstBad], [false, k]);
    const end = await verifyAfterTampering(
      `INSERT INTO audit_events (seq, at, actor_type, actor_label, action, resource, outcome, prev_hash, hash)
         SELECT seq + 1, now(), 'system', 'system', 'records.delete', 'records', 'success', hash, repeat('a', 64) FROM audit_chain_head`,
    );
    assert.equal(end.ok, false);
    assert.ok(end.firstBad! > last);
  });

  it('detects reordered events', async () => {
    const report = await verifyAfterTampering(
      `UPDATE audit_events SET seq = 1000000 WHERE seq = ${k}`,
      `UPDATE audit_events SET seq = ${k} WHERE seq = ${k + 1}`,
      `UPDATE audit_events SET seq = ${k + 1} WHERE seq = 1000000`,
    );
    assert.deepEqual([report.ok, report.firstBad], [false, k]);
  });

  it('detects events cut off at the end, and a truncated log', async () => {
    const head = (await verifyAuditChain()).head.seq;
    const cut = await verifyAfterTampering(`DELETE FROM audit_events WHERE seq > ${head - 2}`);
    assert.equal(cut.ok, false);
    assert.equal(cut.firstBad, head - 1);
    assert.match(cut.problem!, /are missing: the chain ends early/);
    const truncated = await verifyAfterTampering('TRUNCATE audit_events');
    assert.deepEqual([truncated.ok, truncated.firstBad], [false, 1]);
  });

  it('checks anchors kept outside the database', async () => {
    const { head } = await verifyAuditChain();
    assert.equal((await verifyAuditChain({ anchors: [head] })).ok, true);
    const wrong = await verifyAuditChain({ anchors: [{ seq: k, hash: 'f'.repeat(64) }] });
    assert.deepEqual([wrong.ok, wrong.firstBad], [false, k]);
    assert.match(wrong.problem!, /differs from the anchor/);
    const beyond = await verifyAuditChain({ anchors: [{ seq: head.seq + 100, hash: 'f'.repeat(64) }] });
    assert.equal(beyond.ok, false);
    assert.match(beyond.problem!, /beyond the end of the chain/);
  });

  describe('from the console', () => {
    let server: RunningConsole;
    before(async () => {
      server = await startConsoleServer();
    });
    after(() => server.stop());

    it('lets an auditor verify the chain, and records that they did; refuses a content manager', async () => {
      const auditor = await createTestUser('auditor');
      const http = new HttpSession(server.baseUrl);
      await http.login(auditor.email, TEST_PASSWORD);
      const body = (await (await http.api('/resources/auditEvents/actions/verify', 'POST', {})).json()) as {
        report: ChainReport;
        notice: { type: string; message: string };
      };
      assert.equal(body.report.ok, true, body.report.problem);
      assert.match(body.notice.message, /Audit chain intact: \d+ events verified/);
      const shown = (await (await http.api('/resources/auditEvents/actions/verify')).json()) as {
        last: { by: string; report: ChainReport };
      };
      assert.equal(shown.last.by, auditor.email);

      const manager = await createTestUser('content_manager');
      const other = new HttpSession(server.baseUrl);
      await other.login(manager.email, TEST_PASSWORD);
      assert.equal((await other.api('/resources/auditEvents/actions/verify', 'POST', {})).status, 403);
    });
  });
});
