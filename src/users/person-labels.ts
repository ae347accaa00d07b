import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { emailsOf } from './emails-of.js';

/** How a row naming nobody (a scheduled retrain, a seed) shows its person. */
export const SYSTEM_PERSON = 'system';
/** How a person is shown to a role that may not read the users table: a name, never a bare id. */
export const ANOTHER_USER = 'another user';

/**
 * How each person (by user id) is named to `viewer`: their email when the viewer may open users (admins,
 * auditors) or it is the viewer themselves; otherwise "another user", since who did what is theirs to
 * read only through the rule table (the security test on referenced rows holds the console to it).
 */
export async function personLabels(
  viewer: Actor,
  ids: ReadonlyArray<number | null | undefined>,
): Promise<Map<number, string>> {
  const mayShowUsers = decide(viewer, 'users', 'show') === true;
  const self = viewer.type === 'user' ? viewer.id : undefined;
  const wanted = ids.filter((id): id is number => typeof id === 'number' && (mayShowUsers || id === self));
  const emails = await emailsOf(wanted);
  const labels = new Map<number, string>();
  for (const id of ids) {
    if (typeof id !== 'number') continue;
    labels.set(id, emails.get(id) ?? (mayShowUsers || id === self ? 'a deleted user' : ANOTHER_USER));
  }
  return labels;
}

/** One person's label (null id: the system). */
export function labelOf(labels: Map<number, string>, id: number | null | undefined): string {
  return typeof id === 'number' ? (labels.get(id) ?? ANOTHER_USER) : SYSTEM_PERSON;
}
