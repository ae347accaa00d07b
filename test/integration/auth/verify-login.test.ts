import assert from 'node:assert/strict';
import { Algorithm, hash } from '@node-rs/argon2';
import { Op } from 'sequelize';
import { AuditEvent, User } from '../../../models/index.js';
import {
  LOCKOUT_MINUTES,
  MAX_FAILED_LOGINS,
  MAX_FAILURES_PER_IP,
  verifyLogin,
} from '../../../src/auth/verify-login.js';
import { runWithRequestContext } from '../../../src/platform/request-context.js';
import { saveUser } from '../../../src/users/save-user.js';
import { unique, useTestDatabase } from '../../support/database.js';

const PASSWORD = 'violet trombone cabinet';

async function newUser(role: 'admin' | 'auditor' = 'auditor') {
  const email = `${unique('login')}@example.com`;
  const { user } = await saveUser({ type: 'system' }, { email, role, password: PASSWORD });
  return user;
}

describe('auth: verifyLogin()', () => {
  before(useTestDatabase);

  it('signs in with the right password and audits the success', async () => {
    const user = await newUser();
    const signedIn = await verifyLogin(user.email.toUpperCase(), PASSWORD);
    assert.deepEqual(signedIn, { id: user.id, email: user.email, role: 'auditor' });
    await user.reload();
    assert.ok(user.lastLoginAt);
    assert.ok(
      await AuditEvent.findOne({ where: { action: 'auth.login', outcome: 'success', recordIds: [String(user.id)] } }),
    );
  });

  it(`locks the account after ${MAX_FAILED_LOGINS} wrong passwords, even against the right one`, async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_FAILED_LOGINS; i += 1)
      assert.equal(await verifyLogin(user.email, 'wrong password here'), null);
    await user.reload();
    assert.equal(user.failedLogins, MAX_FAILED_LOGINS);
    assert.ok(user.lockedUntil && user.lockedUntil.getTime() > Date.now() + (LOCKOUT_MINUTES - 1) * 60_000);
    assert.equal(await verifyLogin(user.email, PASSWORD), null);
    const denied = await AuditEvent.findOne({
      where: { action: 'auth.login', outcome: 'denied', recordIds: [String(user.id)] },
    });
    assert.equal(denied?.reason, 'account locked');
    const failures = await AuditEvent.count({
      where: { action: 'auth.login', outcome: 'failed', recordIds: [String(user.id)] },
    });
    assert.equal(failures, MAX_FAILED_LOGINS);
  });

  it('answers an unknown email exactly like a wrong password, and audits the attempt', async () => {
    const email = `${unique('ghost')}@example.com`;
    assert.equal(await verifyLogin(email, PASSWORD), null);
    const event = await AuditEvent.findOne({
      where: { action: 'auth.login', actorType: 'anonymous', selection: { email } },
    });
    assert.equal(event?.outcome, 'failed');
    assert.doesNotMatch(JSON.stringify(event), /violet/);
  });

  it(`throttles an address after ${MAX_FAILURES_PER_IP} failed sign-ins across accounts, even with a right password`, async () => {
    const user = await newUser();
    const ip = '203.0.113.77';
    await runWithRequestContext({ requestId: 'throttle-test', ip }, async () => {
      for (let i = 0; i < MAX_FAILURES_PER_IP; i += 1)
        assert.equal(await verifyLogin(`${unique('stuffing')}@example.com`, 'guess'), null);
      assert.equal(await verifyLogin(user.email, PASSWORD), null);
    });
    const denied = await AuditEvent.findOne({
      where: { action: 'auth.login', outcome: 'denied', requestId: 'throttle-test' },
    });
    assert.match(denied?.reason ?? '', /failed sign-ins from this address/);
    assert.ok(await verifyLogin(user.email, PASSWORD), 'another address is not affected');
  });

  it('refuses an inactive user', async () => {
    const user = await newUser();
    await User.update({ active: false }, { where: { id: user.id } });
    assert.equal(await verifyLogin(user.email, PASSWORD), null);
  });

  it('rehashes a password stored with old parameters at the next sign-in', async () => {
    const user = await newUser();
    const old = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await User.update({ passwordHash: old }, { where: { id: user.id } });
    assert.ok(await verifyLogin(user.email, PASSWORD));
    const stored = await User.scope('withPassword').findByPk(user.id);
    assert.match(stored!.passwordHash, /m=19456,t=2,p=1/);
    assert.equal(
      await AuditEvent.count({
        where: { action: 'auth.login', seq: { [Op.gt]: 0 }, recordIds: [String(user.id)], outcome: 'success' },
      }),
      1,
    );
  });
});
