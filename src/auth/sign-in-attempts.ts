import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';

/** After this many failures in a row the account is locked for LOCKOUT_MINUTES. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
/** Failed sign-ins from one address (any accounts) within the window before that address is refused. */
export const MAX_FAILURES_PER_IP = 30;
export const IP_WINDOW_MINUTES = 15;

/*
 * Both limits are gates taken BEFORE the password is checked, each with one atomic statement in
 * Postgres (shared by every web process). Counting failures after the check, as before, let parallel
 * guesses all pass the gate before any of them was counted: 40 concurrent guesses for one account
 * checked 29 passwords and signed in with the last one, 200 from one address checked 123.
 */

/**
 * Takes one of the account's MAX_FAILED_LOGINS attempts: counts it as a failure now (a success resets
 * the count) and locks the account when it is the last one. False when the account is locked: its
 * password must not be checked. A lock that has run out starts a fresh count.
 */
export async function reserveAccountAttempt(userId: number): Promise<{ reserved: boolean; locksAccount: boolean }> {
  const rows = await sequelizeOf().query<{ failedLogins: number; lockedUntil: Date | null }>(
    `UPDATE users SET
       failed_logins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END,
       locked_until = CASE
         WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END) >= :max
           THEN now() + make_interval(mins => :minutes)
         ELSE NULL END
     WHERE id = :id AND (locked_until IS NULL OR locked_until <= now())
     RETURNING failed_logins AS "failedLogins", locked_until AS "lockedUntil"`,
    { replacements: { id: userId, max: MAX_FAILED_LOGINS, minutes: LOCKOUT_MINUTES }, type: QueryTypes.SELECT },
  );
  const row = rows[0];
  return { reserved: row !== undefined, locksAccount: row?.lockedUntil != null };
}

/**
 * Takes one of the address's MAX_FAILURES_PER_IP attempts in its window (the window starts with the
 * first attempt and lasts IP_WINDOW_MINUTES). False when none is left: refuse without checking.
 */
export async function reserveAddressAttempt(ip: string): Promise<boolean> {
  // Expired windows are only dead weight: sweep them now and then rather than on every sign-in.
  if (Math.random() < 0.01) {
    await sequelizeOf().query(
      'DELETE FROM sign_in_address_attempts WHERE window_start <= now() - make_interval(mins => :minutes)',
      {
        replacements: { minutes: IP_WINDOW_MINUTES },
      },
    );
  }
  const rows = await sequelizeOf().query<{ attempts: number }>(
    `INSERT INTO sign_in_address_attempts AS a (ip, window_start, attempts) VALUES (:ip::inet, now(), 1)
     ON CONFLICT (ip) DO UPDATE SET
       attempts = CASE WHEN a.window_start <= now() - make_interval(mins => :minutes) THEN 1 ELSE LEAST(a.attempts + 1, :max + 1) END,
       window_start = CASE WHEN a.window_start <= now() - make_interval(mins => :minutes) THEN now() ELSE a.window_start END
     RETURNING attempts`,
    { replacements: { ip, max: MAX_FAILURES_PER_IP, minutes: IP_WINDOW_MINUTES }, type: QueryTypes.SELECT },
  );
  return (rows[0]?.attempts ?? Infinity) <= MAX_FAILURES_PER_IP;
}

/** A successful sign-in gives its address reservation back: only failures use the address's allowance. */
export async function releaseAddressAttempt(ip: string): Promise<void> {
  await sequelizeOf().query(
    'UPDATE sign_in_address_attempts SET attempts = GREATEST(attempts - 1, 0) WHERE ip = :ip::inet',
    {
      replacements: { ip },
    },
  );
}
