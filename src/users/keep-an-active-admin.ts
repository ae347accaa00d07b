import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { Forbidden } from '../errors/domain-error.js';

/**
 * Serialises every change that may take an active admin away. The same key is taken by the database
 * trigger `users_keep_an_active_admin` (migration 20261207000200), which refuses such a change from
 * any writer; this service check runs first so the person gets a clear, audited refusal.
 */
const ACTIVE_ADMINS_LOCK_KEY = 0x6d64_6164; // "mdad"

export interface AdminState {
  role: string;
  active: boolean;
}

/** True when a user who was an active admin would no longer be one. */
export function takesAnActiveAdminAway(before: AdminState, after: AdminState | null): boolean {
  return before.role === 'admin' && before.active && !(after?.role === 'admin' && after.active);
}

/**
 * Refuses (Forbidden `user.last_admin`) when no active admin would remain besides `leavingIds`.
 * Call inside the transaction that makes the change, before making it: the lock is held until commit,
 * so a concurrent demotion of another admin waits and then sees this one's result.
 */
export async function refuseLeavingNoActiveAdmin(
  transaction: Transaction,
  leavingIds: readonly number[],
): Promise<void> {
  const sequelize = sequelizeOf();
  await sequelize.query('SELECT pg_advisory_xact_lock(:key)', {
    replacements: { key: ACTIVE_ADMINS_LOCK_KEY },
    transaction,
  });
  const [other] = await sequelize.query<{ id: number }>(
    `SELECT id FROM users WHERE role = 'admin' AND active AND NOT (id = ANY(ARRAY[:ids]::int[])) LIMIT 1`,
    { replacements: { ids: leavingIds.length > 0 ? [...leavingIds] : [0] }, type: QueryTypes.SELECT, transaction },
  );
  if (!other) {
    throw new Forbidden(
      'user.last_admin',
      'This would leave no active admin, and nobody could manage users any more. Make another user an active admin first, then change this one.',
      { role: 'the last active admin must stay an admin', active: 'the last active admin must stay active' },
    );
  }
}
