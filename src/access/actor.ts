import os from 'node:os';
import type { Role } from './roles.js';

/** Who is acting. Every service takes one; the audit log records it. */
export type Actor =
  | { type: 'user'; id: number; email: string; role: Role }
  | { type: 'api_key'; id: number; prefix: string; ownerId: number; role: Role }
  | { type: 'cli'; osUser: string }
  | { type: 'system' }
  | { type: 'anonymous' };

export const systemActor: Actor = { type: 'system' };
export const cliActor = (): Actor => ({ type: 'cli', osUser: os.userInfo().username });

/** The role rules apply to; CLI and system act as admins (they already hold the machine). */
export function roleOf(actor: Actor): Role | undefined {
  switch (actor.type) {
    case 'user':
    case 'api_key':
      return actor.role;
    case 'cli':
    case 'system':
      return 'admin';
    case 'anonymous':
      return undefined;
  }
}

export function actorLabel(actor: Actor): string {
  switch (actor.type) {
    case 'user':
      return actor.email;
    case 'api_key':
      return `key:${actor.prefix}`;
    case 'cli':
      return `cli:${actor.osUser}`;
    case 'system':
      return 'system';
    case 'anonymous':
      return 'anonymous';
  }
}

export function actorId(actor: Actor): string | null {
  return actor.type === 'user' || actor.type === 'api_key' ? String(actor.id) : null;
}
