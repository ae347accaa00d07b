import type { Actor } from '../actor.js';

/** The user a person-like actor stands for: the user, or an API key's owner. */
export function actorUserId(actor: Actor): number | undefined {
  if (actor.type === 'user') return actor.id;
  if (actor.type === 'api_key') return actor.ownerId;
  return undefined;
}
