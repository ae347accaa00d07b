import { User } from '../../models/user.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { constraintMessage } from '../db/constraint-messages.js';
import { Conflict, NotFound } from '../errors/domain-error.js';
import { refuseLeavingNoActiveAdmin, takesAnActiveAdminAway } from './keep-an-active-admin.js';
import { pick } from './save-user.js';

/**
 * Deletes a user: audited as `users.delete` with what the row held; refused (`user.last_admin`,
 * audited as denied) when it would leave no active admin.
 */
export async function deleteUser(actor: Actor, userId: number): Promise<void> {
  await withAudit(actor, { action: 'users.delete', resource: 'users' }, async (transaction, audit) => {
    audit.note({ recordIds: [userId] });
    const user = await User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!user) throw new NotFound('user.not_found', 'This user no longer exists: reload the list.');
    if (takesAnActiveAdminAway(user, null)) await refuseLeavingNoActiveAdmin(transaction, [user.id]);
    audit.note({ before: pick(user) });
    try {
      await user.destroy({ transaction });
    } catch (error) {
      const message = constraintMessage(error);
      if (message) throw new Conflict('user.in_use', message, undefined, { cause: error });
      throw error;
    }
  });
}
