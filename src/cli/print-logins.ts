import type { DemoLogin } from '../../seeders/demo-users.js';

export function formatLogins(logins: readonly DemoLogin[]): string {
  const width = Math.max(...logins.map((l) => l.email.length));
  return [
    'Demo logins (shown once; change with `npm run cli -- createuser --email E --role R`):',
    ...logins.map((l) => `  ${l.email.padEnd(width)}  ${l.password}  (${l.role})`),
  ].join('\n');
}
