import { randomBytes } from 'node:crypto';
import type { Role } from '../models/enums.js';
import type { Actor } from '../src/access/actor.js';
import { saveUser } from '../src/users/save-user.js';

export const DEMO_USERS: ReadonlyArray<{ email: string; role: Role; name: string }> = [
  { email: 'admin@example.com', role: 'admin', name: 'Ada Admin' },
  { email: 'scientist@example.com', role: 'data_scientist', name: 'Sam Scientist' },
  { email: 'content@example.com', role: 'content_manager', name: 'Cleo Content' },
  { email: 'auditor@example.com', role: 'auditor', name: 'Otto Auditor' },
];

export interface DemoLogin {
  email: string;
  role: Role;
  password: string;
}

/** One user per role with a random password, returned once so the caller can print it once. */
export async function seedDemoUsers(actor: Actor): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = [];
  for (const demo of DEMO_USERS) {
    const password = randomBytes(12).toString('base64url');
    await saveUser(actor, { ...demo, password });
    logins.push({ email: demo.email, role: demo.role, password });
  }
  return logins;
}
