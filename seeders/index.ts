import { QueryTypes } from 'sequelize';
import { User, sequelizeOf } from '../models/index.js';
import type { Actor } from '../src/access/actor.js';
import { seedDemoModels } from './demo-models.js';
import { seedDemoUsers, type DemoLogin } from './demo-users.js';
import { seedPenguins } from './penguins.js';
import { seedSpamAssassin } from './spam-assassin.js';

export interface SeedResult {
  logins: DemoLogin[];
  datasets: Array<{ name: string; records: number }>;
  models: Array<{ name: string; accuracy: number | null }>;
}

const SEEDED_KEY = 'demo_data_seeded_at';

/**
 * True until the first start has finished seeding (a flag in `settings`, written last). A first start
 * interrupted half-way seeds the rest next time; demo data an admin deleted later is not brought back.
 */
export async function needsFirstSeed(): Promise<boolean> {
  const [row] = await sequelizeOf().query('SELECT 1 FROM settings WHERE key = :key', {
    replacements: { key: SEEDED_KEY },
    type: QueryTypes.SELECT,
  });
  return row === undefined;
}

/**
 * The public demo datasets (each only when missing), a trained model for each serving as
 * `production`, then demo users (only when there are none).
 * Safe to run again: it never overwrites or duplicates. Users come last so that the passwords,
 * which exist only in the returned value, are printed right after they are made.
 */
export async function seedDemoData(actor: Actor): Promise<SeedResult> {
  const datasets: SeedResult['datasets'] = [];
  const spam = await seedSpamAssassin(actor);
  if (spam) datasets.push({ name: 'spam-assassin', records: spam.records });
  const penguins = await seedPenguins(actor);
  if (penguins) datasets.push({ name: 'penguins', records: penguins.records });
  const models = await seedDemoModels(actor);
  const logins = (await User.count()) === 0 ? await seedDemoUsers(actor) : [];
  await sequelizeOf().query(
    'INSERT INTO settings (key, value) VALUES (:key, now()::text) ON CONFLICT (key) DO NOTHING',
    {
      replacements: { key: SEEDED_KEY },
    },
  );
  return { logins, datasets, models };
}
