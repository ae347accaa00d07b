import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Dataset, User } from '../../../models/index.js';
import { seedDemoUsers } from '../../../seeders/demo-users.js';
import { seedDemoData } from '../../../seeders/index.js';
import { verifyLogin } from '../../../src/auth/verify-login.js';
import { useTestDatabase } from '../../support/database.js';

describe('demo data seed (real public datasets from npm packages)', () => {
  let result: Awaited<ReturnType<typeof seedDemoData>>;

  before(async () => {
    await useTestDatabase();
    result = await seedDemoData({ type: 'system' });
  });

  it('loads the SpamAssassin corpus and the penguins, split about 80/20 train/test', async () => {
    const spam = await Dataset.findOne({ where: { name: 'spam-assassin' } });
    const penguins = await Dataset.findOne({ where: { name: 'penguins' } });
    assert.ok(spam && penguins);
    assert.equal(await DataRecord.count({ where: { datasetId: spam.id } }), 6046);
    assert.equal(await DataRecord.count({ where: { datasetId: spam.id, label: 'spam' } }), 1896);
    assert.equal(await DataRecord.count({ where: { datasetId: penguins.id } }), 344);
    assert.deepEqual(penguins.labels, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.equal(penguins.featureSchema.length, 6);
    const share = (await DataRecord.count({ where: { datasetId: spam.id, split: 'test' } })) / 6046;
    assert.ok(share > 0.17 && share < 0.23, `test share ${share}`);
  });

  it('creates one user per role with random passwords that work, returned once', async () => {
    // Other test files have created users already, so seedDemoData() rightly skips demo users here;
    // call the user seeder itself (the start test covers a truly empty database end to end).
    const logins = result.logins.length > 0 ? result.logins : await seedDemoUsers({ type: 'system' });
    assert.deepEqual(logins.map((l) => l.role).sort(), ['admin', 'auditor', 'content_manager', 'data_scientist']);
    assert.equal(new Set(logins.map((l) => l.password)).size, 4);
    for (const login of logins) {
      assert.ok(login.password.length >= 16);
      assert.ok(await verifyLogin(login.email, login.password), login.email);
    }
  });

  it('is safe to run again: nothing is duplicated or overwritten', async () => {
    const before = { users: await User.count(), records: await DataRecord.count() };
    const again = await seedDemoData({ type: 'system' });
    assert.deepEqual(again, { logins: [], datasets: [], models: [] });
    assert.deepEqual({ users: await User.count(), records: await DataRecord.count() }, before);
  });

  it('audits each dataset load as one event with its count', async () => {
    const events = (await AuditEvent.findAll({ where: { action: 'datasets.seed' } })).filter((e) =>
      ['spam-assassin', 'penguins'].includes((e.after as { name: string }).name),
    );
    const counts = events.map((e) => (e.after as { records: number }).records).sort((a, b) => a - b);
    assert.deepEqual(counts, [344, 6046]);
  });

  it('stores email text that Postgres can search with the trigram index', async () => {
    const [row] = await (
      await useTestDatabase()
    ).query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE text ILIKE '%unsubscribe%'`, {
      type: QueryTypes.SELECT,
    });
    assert.ok(row && row.n > 100);
  });
});
