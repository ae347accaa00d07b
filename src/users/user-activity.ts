import { AuditEvent, User } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { RESOURCE_IDS } from '../access/rules.js';
import { NotFound } from '../errors/domain-error.js';

const EVENTS_SHOWN = 20;

export interface ActivityEvent {
  seq: number;
  at: string;
  action: string;
  resource: string;
  recordIds: string[];
  outcome: string;
  reason: string | null;
  /** The event is about one row of a console resource the viewer may open: the page links to it. */
  opens: boolean;
}

export interface UserActivity {
  userId: number;
  email: string;
  /** Their latest audited actions, newest first; null when the viewer may not read the whole audit log. */
  events: ActivityEvent[] | null;
}

/**
 * A user's page: what they did last, from the audit log, newest first. Only for viewers who may list
 * every audit event (a row-scoped reader would see a partial, misleading picture). Read down
 * audit_events_actor_seq_idx, so a user with a million events costs the same as one with ten.
 */
export async function userActivity(actor: Actor, userId: number): Promise<UserActivity> {
  const user = await User.findByPk(userId, { attributes: ['id', 'email'] });
  if (!user) throw new NotFound('user.not_found', `User ${userId} no longer exists; go back to the users list.`);
  if (decide(actor, 'auditEvents', 'list') !== true) return { userId: user.id, email: user.email, events: null };
  const events = await AuditEvent.findAll({
    where: { actorType: 'user', actorId: String(user.id) },
    attributes: ['seq', 'at', 'action', 'resource', 'recordIds', 'outcome', 'reason'],
    order: [['seq', 'DESC']],
    limit: EVENTS_SHOWN,
  });
  return {
    userId: user.id,
    email: user.email,
    events: events.map((e) => ({
      seq: Number(e.seq),
      at: e.at.toISOString(),
      action: e.action,
      resource: e.resource,
      recordIds: e.recordIds,
      outcome: e.outcome,
      reason: e.reason,
      opens:
        e.recordIds.length === 1 &&
        (RESOURCE_IDS as readonly string[]).includes(e.resource) &&
        decide(actor, e.resource, 'show') !== false,
    })),
  };
}
