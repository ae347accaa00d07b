import * as z from 'zod';
import { User, userAuditedFields } from '../../models/user.js';
import { Role } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { hashPassword } from '../auth/password.js';
import { passwordProblems } from '../auth/password-policy.js';
import { InvalidInput } from '../errors/domain-error.js';
import { Email } from './email.js';
import { refuseLeavingNoActiveAdmin, takesAnActiveAdminAway } from './keep-an-active-admin.js';

export const SaveUserInput = z.object({
  email: Email,
  role: Role,
  password: z.string().optional(),
  name: z.string().trim().max(200).optional(),
  /** `true` reactivates an existing inactive user (cli createuser); a new user is always active. */
  active: z.boolean().optional(),
});
export type SaveUserInput = z.input<typeof SaveUserInput>;

export interface SaveUserResult {
  user: User;
  created: boolean;
  /** The user existed, was inactive, and is active again. */
  reactivated: boolean;
}

/**
 * Creates the user, or updates the role (and the password, when given; `active`, when given) of the
 * existing user with that email: what `cli createuser` and the demo seed do. Audited as `users.create`
 * / `users.update`; refused (`user.last_admin`, audited as denied) when it would leave no active admin.
 */
export async function saveUser(actor: Actor, raw: SaveUserInput): Promise<SaveUserResult> {
  const input = SaveUserInput.parse(raw);
  if (input.password !== undefined) {
    const problems = passwordProblems(input.password, input.email);
    if (problems.length > 0)
      throw new InvalidInput('user.weak_password', problems.join(' '), { password: problems.join(' ') });
  }
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const existing = await User.findOne({ where: { email: input.email } });
  const action = existing ? 'users.update' : 'users.create';
  return withAudit(actor, { action, resource: 'users' }, async (transaction, audit) => {
    const user = await User.findOne({ where: { email: input.email }, transaction, lock: transaction.LOCK.UPDATE });
    if (!user) {
      if (!passwordHash)
        throw new InvalidInput('user.password_required', 'A new user needs a password.', {
          password: 'required for a new user',
        });
      const created = await User.create(
        {
          email: input.email,
          role: input.role,
          passwordHash,
          name: input.name ?? null,
          lockedUntil: null,
          lastLoginAt: null,
        },
        { transaction },
      );
      audit.note({ recordIds: [created.id], after: pick(created) });
      return { user: created, created: true, reactivated: false };
    }
    const before = pick(user);
    audit.note({ recordIds: [user.id] });
    const active = input.active ?? user.active;
    if (takesAnActiveAdminAway(user, { role: input.role, active }))
      await refuseLeavingNoActiveAdmin(transaction, [user.id]);
    const reactivated = active && !user.active;
    user.role = input.role;
    user.active = active;
    if (input.name !== undefined) user.name = input.name;
    if (passwordHash) {
      user.passwordHash = passwordHash;
      user.passwordChangedAt = new Date();
      // A reset password also lifts a lockout: the admin resetting it has vouched for the person.
      user.failedLogins = 0;
      user.lockedUntil = null;
    }
    await user.save({ transaction });
    audit.note({
      recordIds: [user.id],
      before,
      after: { ...pick(user), ...(passwordHash ? { password: 'changed' } : {}) },
    });
    return { user, created: false, reactivated };
  });
}

/** The user's allow-listed fields for the audit log (never the password hash). */
export function pick(user: User): Record<string, unknown> {
  return Object.fromEntries(userAuditedFields.map((field) => [field, user.get(field)]));
}
