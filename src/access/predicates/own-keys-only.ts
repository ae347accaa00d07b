import { actorUserId } from './actor-user-id.js';
import type { Rule } from '../rule.js';

/** An API key is a credential: its owner (and admins) may see it, nobody else. */
export const ownKeysOnly: Rule = ({ actor }) => {
  const userId = actorUserId(actor);
  return userId === undefined ? false : { ownerId: userId };
};
