import { actorUserId } from './actor-user-id.js';
import type { Rule } from '../rule.js';

/** An admin may not delete or deactivate their own account: the last admin could lock everyone out. */
export const notSelf: Rule = ({ actor, record }) => {
  if (!record) return true;
  return Number(record.id) !== actorUserId(actor);
};
