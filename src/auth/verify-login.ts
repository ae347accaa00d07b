import { User } from '../../models/user.js';
import type { Role } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { appendAuditEvent } from '../audit/append-audit-event.js';
import { sequelizeOf } from '../../models/index.js';
import { Email } from '../users/email.js';
import { hashPassword, needsRehash, timingDummyHash, verifyPassword } from './password.js';

/** After this many failures in a row the account is locked for LOCKOUT_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

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
  const user = parsedEmail.success ? await User.findOne({ where: { email } }) : null;

  if (!user) {
    await verifyPassword(await timingDummyHash(), attempt);
    await audit({ type: 'anonymous' }, null, 'failed', 'unknown email', email);
    return null;
  }
  const actor: Actor = { type: 'user', id: user.id, email: user.email, role: user.role };
  const passwordOk = await verifyPassword(user.passwordHash, attempt);
  const now = new Date();

  if (!user.active || (user.lockedUntil && user.lockedUntil > now)) {
    await audit(actor, user.id, 'denied', user.active ? 'account locked' : 'account inactive');
    return null;
  }
  if (!passwordOk) {
    const failedLogins = user.failedLogins + 1;
    const lockedUntil = failedLogins >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null;
    await sequelizeOf().transaction(async (transaction) => {
      await User.update({ failedLogins, lockedUntil }, { where: { id: user.id }, transaction });
      await appendAuditEvent(
        actor,
        {
          action: 'auth.login',
          resource: 'users',
          recordIds: [user.id],
          outcome: 'failed',
          reason: lockedUntil ? `wrong password; locked for ${LOCKOUT_MINUTES} minutes` : 'wrong password',
        },
        transaction,
      );
    });
    return null;
  }

  const rehashed = needsRehash(user.passwordHash) ? await hashPassword(attempt) : undefined;
  await sequelizeOf().transaction(async (transaction) => {
    await User.update(
      { failedLogins: 0, lockedUntil: null, lastLoginAt: now, ...(rehashed ? { passwordHash: rehashed } : {}) },
      { where: { id: user.id }, transaction },
    );
    await appendAuditEvent(actor, { action: 'auth.login', resource: 'users', recordIds: [user.id], outcome: 'success' }, transaction);
  });
  return { id: user.id, email: user.email, role: user.role };
}

async function audit(actor: Actor, userId: number | null, outcome: 'failed' | 'denied', reason: string, email?: string) {
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
