import { ZodError } from 'zod';
import { ConfigError } from '../platform/config.js';
import { DomainError } from '../errors/domain-error.js';
import { UsageError, type Command } from './command.js';

/**
 * Every command by name, loaded only when it runs: a worker or `cli migrate` does not load the
 * console (AdminJS, React) that `cli web` needs, and each process starts about half a second sooner.
 * `cli --help` loads them all for their summaries.
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<Command> }> = [
  { name: 'start', load: async () => (await import('./commands/start.js')).startCommand },
  { name: 'migrate', load: async () => (await import('./commands/migrate.js')).migrateCommand },
  { name: 'seed', load: async () => (await import('./commands/seed.js')).seedCommand },
  { name: 'createuser', load: async () => (await import('./commands/createuser.js')).createUserCommand },
  { name: 'train', load: async () => (await import('./commands/train.js')).trainCommand },
  { name: 'score', load: async () => (await import('./commands/score.js')).scoreCommand },
  { name: 'upload-model', load: async () => (await import('./commands/upload-model.js')).uploadModelCommand },
  { name: 'worker', load: async () => (await import('./commands/worker.js')).workerCommand },
  { name: 'verify-audit', load: async () => (await import('./commands/verify-audit.js')).verifyAuditCommand },
  { name: 'archive-audit', load: async () => (await import('./commands/archive-audit.js')).archiveAuditCommand },
  { name: 'generate', load: async () => (await import('./commands/generate.js')).generateCommand },
  { name: 'web', load: async () => (await import('./commands/web.js')).webCommand },
  { name: 'create-api-key', load: async () => (await import('./commands/api-keys.js')).createApiKeyCommand },
  { name: 'revoke-api-key', load: async () => (await import('./commands/api-keys.js')).revokeApiKeyCommand },
];

/** Every command, loaded (for the usage text and for tests that check the table). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map((entry) => entry.load()));
}

async function usage(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: npm run cli -- <command> [options]   (`npm start` is `cli start`)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `npm run cli -- <command> --help` for the options of one command.',
  ].join('\n');
}

/** Runs one command; returns the exit code. Errors a user can fix are printed plainly, without a stack. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`Unknown command "${name}".\n\n${await usage()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\nFix the variable(s) above and start again (see docs/configuration.md).`);
      return 78; // EX_CONFIG
    }
    if (error instanceof DomainError) {
      console.error(`Error: ${error.message}`);
      return 1;
    }
    if (error instanceof ZodError) {
      console.error(
        `Invalid input:\n${error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}\n\n${command.usage}`,
      );
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${command.usage}`);
      return 2;
    }
    console.error(error);
    return 1;
  }
}
