import { seedDemoData } from '../../../seeders/index.js';
import { cliActor } from '../../access/actor.js';
import type { Command } from '../command.js';
import { withDatabase } from '../open-database.js';
import { formatLogins } from '../print-logins.js';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'Load the demo datasets that are missing, and demo users when there are no users yet.',
  usage: 'npm run cli -- seed',
  async run() {
    return withDatabase(async () => {
      const result = await seedDemoData(cliActor());
      for (const d of result.datasets) console.log(`Seeded dataset ${d.name}: ${d.records} records.`);
      for (const m of result.models) console.log(`Trained demo model ${m.name} v1 (production).`);
      if (result.datasets.length === 0 && result.models.length === 0)
        console.log('Demo datasets already present: nothing to do.');
      if (result.logins.length > 0) console.log(formatLogins(result.logins));
      return 0;
    });
  },
};
