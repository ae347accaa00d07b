import type { CurrentAdmin } from 'adminjs';
import { Role } from '../models/enums.js';
import type { Actor } from '../src/access/actor.js';
import { ROLE_TITLES } from '../src/access/roles.js';

/** What the session stores about the signed-in person (AdminJS's `currentAdmin`). */
export interface ConsoleUser extends CurrentAdmin {
  id: string;
  email: string;
  role: Role;
  title: string;
}

export function toConsoleUser(user: { id: number; email: string; role: Role }): ConsoleUser {
  return { id: String(user.id), email: user.email, role: user.role, title: ROLE_TITLES[user.role] };
}

/** The actor for services; anything unrecognisable is anonymous and so denied everything. */
export function actorOf(currentAdmin: CurrentAdmin | undefined): Actor {
  const role = Role.safeParse(currentAdmin?.role);
  const id = Number(currentAdmin?.id);
  if (!currentAdmin || !role.success || !Number.isInteger(id)) return { type: 'anonymous' };
  return { type: 'user', id, email: String(currentAdmin.email), role: role.data };
}
