import type { Command } from '../command.js';
import { openDatabase } from '../open-database.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending schema migrations (also done automatically by `start`).',
  usage: 'npm run cli -- migrate',
  async run() {
    const db = await openDatabase((m) => console.log(m));
    try {
      console.log(db.applied.length ? `Applied ${db.applied.length} migration(s):\n  ${db.applied.join('\n  ')}` : 'Schema is up to date.');
      return 0;
    } finally {
      await db.close();
    }
  },
};
