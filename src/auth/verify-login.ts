import { User } from '../../models/user.js';
import { currentRequestContext, normaliseIp } from '../platform/request-context.js';
import type { Role } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { appendAuditEvent } from '../audit/append-audit-event.js';
import { sequelizeOf } from '../../models/index.js';
import { Email } from '../users/email.js';
import {
  releaseAddressAttempt,
  reserveAccountAttempt,
  reserveAddressAttempt,
  IP_WINDOW_MINUTES,
  LOCKOUT_MINUTES,
  MAX_FAILURES_PER_IP,
} from './sign-in-attempts.js';
import { hashPassword, needsRehash, timingDummyHash, verifyPassword } from './password.js';

export { IP_WINDOW_MINUTES, LOCKOUT_MINUTES, MAX_FAILED_LOGINS, MAX_FAILURES_PER_IP } from './sign-in-attempts.js';

export interface SignedInUser {
  id: number;
  email: string;
  role: Role;
}

/**
 * Checks an email and password. Returns the user, or null with one answer for every failure (unknown
 * email, wrong password, locked or inactive account) so responses do not reveal which accounts exist;
 * an unknown email costs a real argon2 verification too. Every attempt is audited.
 */
export async function verifyLogin(rawEmail: unknown, password: unknown): Promise<SignedInUser | null> {
  const parsedEmail = Email.safeParse(rawEmail);
  const email = parsedEmail.success ? parsedEmail.data : String(rawEmail ?? '').slice(0, 254);
  const attempt = typeof password === 'string' ? password.slice(0, 1024) : '';
  // Every HTTP request has its address (src/server/request-id.ts); only in-process callers have none.
  const ip = normaliseIp(currentRequestContext()?.ip);
  if (ip && !(await reserveAddressAttempt(ip))) {
    // Credential stuffing spreads guesses over many accounts: throttle the address as well.
    await audit(
      { type: 'anonymous' },
      null,
      'denied',
      `more than ${MAX_FAILURES_PER_IP} failed sign-ins from this address in ${IP_WINDOW_MINUTES} minutes`,
      email,
    );
    return null;
  }
  const user = parsedEmail.success ? await User.scope('withPassword').findOne({ where: { email } }) : null;

  if (!user) {
    await verifyPassword(await timingDummyHash(), attempt);
    await audit({ type: 'anonymous' }, null, 'failed', 'unknown email', email);
    return null;
  }
  const actor: Actor = { type: 'user', id: user.id, email: user.email, role: user.role };
  if (!user.active) {
    await verifyPassword(await timingDummyHash(), attempt);
    await audit(actor, user.id, 'denied', 'account inactive');
    return null;
  }
  const { reserved, locksAccount } = await reserveAccountAttempt(user.id);
  if (!reserved) {
    // The password is not checked while locked (the right one included); the dummy check keeps the
    // answer as slow as any other, so timing does not tell a locked account apart.
    await verifyPassword(await timingDummyHash(), attempt);
    await audit(actor, user.id, 'denied', 'account locked');
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, attempt))) {
    // The attempt was counted (and the account locked, if it was the last one) when it was reserved.
    await audit(
      actor,
      user.id,
      'failed',
      locksAccount ? `wrong password; locked for ${LOCKOUT_MINUTES} minutes` : 'wrong password',
    );
    return null;
  }

  const now = new Date();
  const rehashed = needsRehash(user.passwordHash) ? await hashPassword(attempt) : undefined;
  await sequelizeOf().transaction(async (transaction) => {
    await User.update(
      { failedLogins: 0, lockedUntil: null, lastLoginAt: now, ...(rehashed ? { passwordHash: rehashed } : {}) },
      { where: { id: user.id }, transaction },
    );
    await appendAuditEvent(
      actor,
      { action: 'auth.login', resource: 'users', recordIds: [user.id], outcome: 'success' },
      transaction,
    );
  });
  if (ip) await releaseAddressAttempt(ip);
  return { id: user.id, email: user.email, role: user.role };
}

async function audit(
  actor: Actor,
  userId: number | null,
  outcome: 'failed' | 'denied',
  reason: string,
  email?: string,
) {
  await sequelizeOf().transaction((transaction) =>
    appendAuditEvent(
      actor,
      {
        action: 'auth.login',
        resource: 'users',
        recordIds: userId === null ? [] : [userId],
        // The attempted address helps spot credential stuffing; the password is never recorded.
        selection: email ? { email } : null,
        outcome,
        reason,
      },
      transaction,
    ),
  );
}
