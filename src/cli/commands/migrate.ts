import type { Command } from '../command.js';
import { withDatabase } from '../open-database.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending schema migrations (also done automatically by `start`).',
  usage: 'npm run cli -- migrate',
  async run() {
    return withDatabase(async ({ applied }) => {
      console.log(
        applied.length ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'Schema is up to date.',
      );
      return 0;
    });
  },
};
