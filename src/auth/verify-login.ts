import { QueryTypes } from 'sequelize';
import { User } from '../../models/user.js';
import { currentRequestContext, normaliseIp } from '../server/request-context.js';
import type { Role } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { appendAuditEvent } from '../audit/append-audit-event.js';
import { sequelizeOf } from '../../models/index.js';
import { Email } from '../users/email.js';
import { hashPassword, needsRehash, timingDummyHash, verifyPassword } from './password.js';

/** After this many failures in a row the account is locked for LOCKOUT_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
/** Failed sign-ins from one address (any accounts) within the window before that address is refused. */
export const MAX_FAILURES_PER_IP = 30;
export const IP_WINDOW_MINUTES = 15;

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
  const ip = normaliseIp(currentRequestContext()?.ip);
  if (ip && (await recentFailuresFrom(ip)) >= MAX_FAILURES_PER_IP) {
    // Credential stuffing spreads guesses over many accounts: throttle the address as well.
    await audit({ type: 'anonymous' }, null, 'denied', `more than ${MAX_FAILURES_PER_IP} failed sign-ins from this address in ${IP_WINDOW_MINUTES} minutes`, email);
    return null;
  }
  const user = parsedEmail.success ? await User.scope('withPassword').findOne({ where: { email } }) : null;

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
    // One atomic statement: parallel wrong guesses each count, and a lock that has run out starts a
    // fresh count instead of re-locking at the first typo.
    await sequelizeOf().transaction(async (transaction) => {
      const [rows] = await sequelizeOf().query(
        `UPDATE users SET
           failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_logins + 1 END,
           locked_until = CASE
             WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= now() THEN 1 ELSE failed_logins + 1 END) >= :max
               THEN now() + make_interval(mins => :minutes)
             WHEN locked_until <= now() THEN NULL
             ELSE locked_until END
         WHERE id = :id RETURNING locked_until AS "lockedUntil"`,
        { replacements: { id: user.id, max: MAX_FAILED_LOGINS, minutes: LOCKOUT_MINUTES }, transaction },
      );
      const locked = (rows as Array<{ lockedUntil: Date | null }>)[0]?.lockedUntil;
      await appendAuditEvent(
        actor,
        {
          action: 'auth.login',
          resource: 'users',
          recordIds: [user.id],
          outcome: 'failed',
          reason: locked ? `wrong password; locked for ${LOCKOUT_MINUTES} minutes` : 'wrong password',
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

/** Failed sign-ins from `ip` in the window, counted in the audit log (so every web process agrees). */
async function recentFailuresFrom(ip: string): Promise<number> {
  const [row] = await sequelizeOf().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events
      WHERE action = 'auth.login' AND outcome <> 'success' AND ip = :ip::inet AND at > now() - make_interval(mins => :minutes)`,
    { replacements: { ip, minutes: IP_WINDOW_MINUTES }, type: QueryTypes.SELECT },
  );
  return row?.n ?? 0;
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
