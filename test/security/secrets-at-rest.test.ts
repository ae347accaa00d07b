import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { useTestDatabase } from '../support/database.js';
import { createPenguinModel } from '../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';

/**
 * Whatever a user types as a secret (a password, an API key) must not be readable back from the
 * database, any table or schema (job queue, sessions, audit log included): only hashes are kept.
 */
describe('security: secrets at rest (real server, whole database searched)', () => {
  let server: RunningConsole;

  before(async () => {
    await useTestDatabase();
    server = await startConsoleServer();
  });
  after(() => server?.stop());

  /** Every table of every non-system schema whose rows, as text, contain `secret`. */
  const tablesContaining = async (secret: string): Promise<string[]> => {
    const sequelize = await useTestDatabase();
    const tables = await sequelize.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      { type: QueryTypes.SELECT },
    );
    const found: string[] = [];
    for (const { name } of tables) {
      const [row] = await sequelize.query<{ hit: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM ${name} t WHERE strpos(t::text, :secret) > 0) AS hit`,
        {
          replacements: { secret },
          type: QueryTypes.SELECT,
        },
      );
      if (row?.hit) found.push(name);
    }
    return found;
  };

  it('keeps a password set in the console and an API key issued there only as hashes, wherever they went', async () => {
    const admin = await createTestUser('admin');
    const http = new HttpSession(server.baseUrl);
    await http.login(admin.email, TEST_PASSWORD);
    const model = await createPenguinModel('secrets');

    const password = `plum harbour ${Date.now()} lantern`;
    const email = `secret-${Date.now()}@example.com`;
    const created = await http.api('/resources/users/actions/new', 'POST', {
      email,
      role: 'data_scientist',
      active: true,
      newPassword: password,
    });
    assert.equal(created.status, 200);
    assert.equal(((await created.json()) as { notice: { type: string } }).notice.type, 'success');

    const issued = await http.api('/resources/apiKeys/actions/issue', 'POST', {
      ownerEmail: email,
      name: 'at rest',
      scopes: 'predict',
    });
    const { issued: key } = (await issued.json()) as { issued: { key: string; prefix: string } };
    assert.match(key.key, /^mdk_/);
    const predicted = await fetch(`${server.baseUrl}/api/v1/models/${model.name}/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        instances: [
          {
            bill_length_mm: 39.1,
            bill_depth_mm: 18.7,
            flipper_length_mm: 181,
            body_mass_g: 3750,
            island: 'Torgersen',
            sex: 'male',
          },
        ],
      }),
    });
    assert.notEqual(predicted.status, 401, 'the key works');

    // The new user signs in too: a login must not leave the password anywhere either.
    assert.equal((await new HttpSession(server.baseUrl).login(email, password)).status, 302);
    await server.flushApi();

    assert.deepEqual(await tablesContaining(password), [], 'the password is nowhere');
    assert.deepEqual(await tablesContaining(key.key), [], 'the API key is nowhere');
    assert.deepEqual(await tablesContaining(key.key.slice(key.prefix.length + 1)), [], 'not even its secret part');
    assert.ok(
      (await tablesContaining(key.prefix)).includes('public.api_keys'),
      'its prefix identifies it (and the search works)',
    );
  });
});
