import { ZodError } from 'zod';
import { ConfigError } from '../platform/config.js';
import { DomainError } from '../errors/domain-error.js';
import { UsageError, type Command } from './command.js';
import { createUserCommand } from './commands/createuser.js';
import { migrateCommand } from './commands/migrate.js';
import { seedCommand } from './commands/seed.js';
import { startCommand } from './commands/start.js';
import { trainCommand } from './commands/train.js';
import { scoreCommand } from './commands/score.js';
import { verifyAuditCommand } from './commands/verify-audit.js';
import { archiveAuditCommand } from './commands/archive-audit.js';
import { uploadModelCommand } from './commands/upload-model.js';
import { generateCommand } from './commands/generate.js';
import { webCommand } from './commands/web.js';
import { workerCommand } from './commands/worker.js';
import { createApiKeyCommand, revokeApiKeyCommand } from './commands/api-keys.js';

const COMMANDS: readonly Command[] = [
  startCommand,
  migrateCommand,
  seedCommand,
  createUserCommand,
  trainCommand,
  scoreCommand,
  uploadModelCommand,
  workerCommand,
  verifyAuditCommand,
  archiveAuditCommand,
  generateCommand,
  webCommand,
  createApiKeyCommand,
  revokeApiKeyCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: npm run cli -- <command> [options]   (`npm start` is `cli start`)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `npm run cli -- <command> --help` for the options of one command.',
  ].join('\n');
}

/** Runs one command; returns the exit code. Errors a user can fix are printed plainly, without a stack. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
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
