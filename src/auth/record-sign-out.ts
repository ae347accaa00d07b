import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';

/** Audits a console sign-out (auth.logout) before the session ends; only a signed-in user has one to record. */
export async function recordSignOut(actor: Actor): Promise<void> {
  if (actor.type !== 'user') return;
  await withAudit(actor, { action: 'auth.logout', resource: 'users' }, async (_transaction, audit) => {
    audit.note({ recordIds: [actor.id] });
  });
}
