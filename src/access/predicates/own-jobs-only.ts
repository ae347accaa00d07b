import { actorUserId } from './actor-user-id.js';
import type { Rule } from '../rule.js';

/** Job params and results describe other people's work, so show each person their own. */
export const ownJobsOnly: Rule = ({ actor }) => {
  const userId = actorUserId(actor);
  return userId === undefined ? false : { createdById: userId };
};
