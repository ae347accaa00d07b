import assert from 'node:assert/strict';
import { AuditEvent, User } from '../../../models/index.js';
import { verifyAuditChain } from '../../../src/audit/verify-chain.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { saveUser } from '../../../src/users/save-user.js';
import { unique, useTestDatabase } from '../../support/database.js';

const cli = { type: 'cli', osUser: 'tester' } as const;

describe('users: saveUser() (cli createuser)', () => {
  before(useTestDatabase);

  it('creates a user with a hashed password and audits it without the secret', async () => {
    const email = `${unique('new')}@Example.com `;
    const { user, created } = await saveUser(cli, { email, role: 'auditor', password: 'violet trombone cabinet' });
    assert.equal(created, true);
    assert.equal(user.email, email.trim().toLowerCase());
    assert.match(user.passwordHash, /^\$argon2id\$/);
    const event = await AuditEvent.findOne({ where: { action: 'users.create', recordIds: [String(user.id)] } });
    assert.ok(event, 'audit event written');
    assert.equal(event.actorLabel, 'cli:tester');
    assert.equal(event.outcome, 'success');
    assert.doesNotMatch(JSON.stringify(event.after), /argon2|violet/);
  });

  it('updates the role and password of an existing user and lifts a lockout', async () => {
    const email = `${unique('upd')}@example.com`;
    const { user } = await saveUser(cli, { email, role: 'auditor', password: 'violet trombone cabinet' });
    await User.update({ failedLogins: 5, lockedUntil: new Date(Date.now() + 60_000) }, { where: { id: user.id } });
    const { user: updated, created } = await saveUser(cli, { email, role: 'admin', password: 'amber kettle harbour' });
    assert.equal(created, false);
    assert.equal(updated.role, 'admin');
    assert.equal(updated.failedLogins, 0);
    assert.equal(updated.lockedUntil, null);
    assert.notEqual(updated.passwordHash, user.passwordHash);
    const event = await AuditEvent.findOne({ where: { action: 'users.update', recordIds: [String(user.id)] } });
    assert.deepEqual((event?.before as { role: string }).role, 'auditor');
    assert.deepEqual((event?.after as { role: string; password: string }).password, 'changed');
  });

  it('refuses a weak password with the reason, and writes nothing', async () => {
    const email = `${unique('weak')}@example.com`;
    await assert.rejects(saveUser(cli, { email, role: 'admin', password: 'password1' }), (error: unknown) => {
      assert.ok(error instanceof InvalidInput);
      assert.match(error.message, /at least 12 characters/);
      return true;
    });
    assert.equal(await User.count({ where: { email } }), 0);
  });

  it('refuses an unknown role and a malformed email', async () => {
    await assert.rejects(
      saveUser(cli, { email: 'x@example.com', role: 'root' as never, password: 'violet trombone cabinet' }),
      /role/,
    );
    await assert.rejects(
      saveUser(cli, { email: 'not-an-email', role: 'admin', password: 'violet trombone cabinet' }),
      /email/,
    );
  });

  it('keeps the audit chain intact', async () => {
    const report = await verifyAuditChain();
    assert.equal(report.ok, true, report.problem);
    assert.ok(report.checked > 0);
  });
});
