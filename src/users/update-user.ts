import * as z from 'zod';
import { User } from '../../models/user.js';
import { Role } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { hashPassword } from '../auth/password.js';
import { passwordProblems } from '../auth/password-policy.js';
import { constraintMessage } from '../db/constraint-messages.js';
import { Conflict, InvalidInput, NotFound } from '../errors/domain-error.js';
import { Email } from './email.js';
import { refuseLeavingNoActiveAdmin, takesAnActiveAdminAway } from './keep-an-active-admin.js';
import { pick } from './save-user.js';

/** What an admin may change about a user (the console's edit form); a field left out stays as it is. */
export const UpdateUserInput = z.object({
  email: Email.optional(),
  name: z.string().trim().max(200).nullable().optional(),
  role: Role.optional(),
  active: z.boolean().optional(),
  /** A new password (checked against the password policy); also lifts a lockout. */
  password: z.string().optional(),
});
export type UpdateUserInput = z.input<typeof UpdateUserInput>;

/**
 * Changes a user: audited as `users.update` with the changed fields before and after; refused
 * (`user.last_admin`, audited as denied) when it would leave no active admin.
 */
export async function updateUser(actor: Actor, userId: number, raw: UpdateUserInput): Promise<User> {
  const input = UpdateUserInput.parse(raw);
  let passwordHash: string | undefined;
  if (input.password !== undefined) {
    const email = input.email ?? (await User.findByPk(userId))?.email;
    const problems = passwordProblems(input.password, email);
    if (problems.length > 0)
      throw new InvalidInput('user.weak_password', problems.join(' '), { password: problems.join(' ') });
    passwordHash = await hashPassword(input.password);
  }
  return withAudit(actor, { action: 'users.update', resource: 'users' }, async (transaction, audit) => {
    audit.note({ recordIds: [userId] });
    const user = await User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!user) throw new NotFound('user.not_found', 'This user no longer exists: reload the list.');
    const role = input.role ?? user.role;
    const active = input.active ?? user.active;
    if (takesAnActiveAdminAway(user, { role, active })) await refuseLeavingNoActiveAdmin(transaction, [user.id]);
    const before = pick(user);
    user.set({
      role,
      active,
      ...(input.email !== undefined ? { email: input.email } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
    });
    if (passwordHash) {
      user.passwordHash = passwordHash;
      user.passwordChangedAt = new Date();
      // A reset password also lifts a lockout: the admin resetting it has vouched for the person.
      user.failedLogins = 0;
      user.lockedUntil = null;
    }
    try {
      await user.save({ transaction });
    } catch (error) {
      const message = constraintMessage(error);
      if (message) throw new Conflict('user.invalid', message, undefined, { cause: error });
      throw error;
    }
    const after = pick(user);
    const changed = Object.keys(after).filter((key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]));
    audit.note({
      before: Object.fromEntries(changed.map((key) => [key, before[key]])),
      after: {
        ...Object.fromEntries(changed.map((key) => [key, after[key]])),
        ...(passwordHash ? { password: 'changed' } : {}),
      },
    });
    return user;
  });
}
