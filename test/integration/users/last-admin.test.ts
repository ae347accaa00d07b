import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { Op } from 'sequelize';
import { AuditEvent, User } from '../../../models/index.js';
import { Forbidden } from '../../../src/errors/domain-error.js';
import { deleteUser } from '../../../src/users/delete-user.js';
import { saveUser } from '../../../src/users/save-user.js';
import { updateUser } from '../../../src/users/update-user.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { MAIN, TEST_SESSION_SECRET } from '../../support/cli-process.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';

const cli = { type: 'cli', osUser: 'tester' } as const;

/**
 * Every path that changes users (services, console edit/delete/bulk delete, `cli createuser`, plain
 * SQL) leaves at least one active admin, also when two changes race. The test database is shared by
 * every file: the admins other tests made are set aside (inactive) for each test and restored after.
 */
describe('users: an active admin always remains', () => {
  let server: RunningConsole;
  let setAside: number[] = [];

  before(async () => {
    await useTestDatabase();
    server = await startConsoleServer();
  });
  after(() => server?.stop());

  /** Makes `keep` the only active admins (creating them here), remembering the others to restore. */
  const onlyAdmins = async (count: number) => {
    const admins = await Promise.all(Array.from({ length: count }, () => createTestUser('admin')));
    const ids = admins.map((a) => a.id);
    const others = await User.findAll({ where: { role: 'admin', active: true, id: { [Op.notIn]: ids } } });
    setAside.push(...others.map((u) => u.id));
    if (others.length > 0) await User.update({ active: false }, { where: { id: others.map((u) => u.id) } });
    return admins;
  };
  afterEach(async () => {
    if (setAside.length > 0) await User.update({ active: true }, { where: { id: setAside } });
    setAside = [];
  });

  const activeAdmins = () => User.count({ where: { role: 'admin', active: true } });
  const lastEvent = (action: string, userId: number) =>
    AuditEvent.findOne({ where: { action, recordIds: { [Op.contains]: [String(userId)] } }, order: [['seq', 'DESC']] });
  const isLastAdminRefusal = (error: unknown) =>
    error instanceof Forbidden && error.code === 'user.last_admin' && /no active admin/.test(error.message);

  describe('the services (what the console and the CLI call)', () => {
    it('refuses to demote, deactivate or delete the last active admin, audited as denied', async () => {
      const [admin] = await onlyAdmins(1);
      await assert.rejects(updateUser(cli, admin!.id, { role: 'auditor' }), isLastAdminRefusal);
      await assert.rejects(updateUser(cli, admin!.id, { active: false }), isLastAdminRefusal);
      await assert.rejects(deleteUser(cli, admin!.id), isLastAdminRefusal);
      await assert.rejects(saveUser(cli, { email: admin!.email, role: 'data_scientist' }), isLastAdminRefusal);
      const row = await User.findByPk(admin!.id);
      assert.equal(row?.role, 'admin');
      assert.equal(row?.active, true);
      for (const action of ['users.update', 'users.delete']) {
        const event = await lastEvent(action, admin!.id);
        assert.equal(event?.outcome, 'denied', action);
        assert.match(event?.reason ?? '', /^user\.last_admin: /);
      }
    });

    it('lets an admin go while another active admin remains', async () => {
      const [first, second] = await onlyAdmins(2);
      await updateUser(cli, first!.id, { active: false });
      assert.equal((await lastEvent('users.update', first!.id))?.outcome, 'success');
      await assert.rejects(updateUser(cli, second!.id, { role: 'auditor' }), isLastAdminRefusal);
      assert.equal(await activeAdmins(), 1);
    });

    it('lets only one of two concurrent demotions of the last two admins through', async () => {
      for (let round = 0; round < 5; round += 1) {
        const [a, b] = await onlyAdmins(2);
        const results = await Promise.allSettled([
          round % 2 === 0 ? updateUser(cli, a!.id, { role: 'auditor' }) : deleteUser(cli, a!.id),
          updateUser(cli, b!.id, { active: false }),
        ]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
        const refused = results.find((r) => r.status === 'rejected');
        assert.ok(isLastAdminRefusal(refused?.reason), String(refused?.reason));
        assert.equal(await activeAdmins(), 1, `round ${round}`);
        await User.update({ active: true }, { where: { id: setAside } });
        setAside = [];
      }
    });
  });

  describe('the database (any writer, plain SQL included)', () => {
    it('refuses an UPDATE or DELETE that leaves no active admin, also from two racing connections', async () => {
      const [a, b] = await onlyAdmins(2);
      const sql = [
        new pg.Client({ connectionString: testDatabaseUrl() }),
        new pg.Client({ connectionString: testDatabaseUrl() }),
      ];
      await Promise.all(sql.map((c) => c.connect()));
      try {
        await assert.rejects(
          sql[0]!.query(`UPDATE users SET active = false WHERE role = 'admin'`),
          /would leave no active admin/,
        );
        await assert.rejects(
          sql[0]!.query(`DELETE FROM users WHERE id IN (${a!.id}, ${b!.id})`),
          /would leave no active admin/,
        );
        await Promise.all(sql.map((c) => c.query('BEGIN')));
        await sql[0]!.query(`UPDATE users SET role = 'auditor' WHERE id = ${a!.id}`);
        // The second waits for the first's lock; after its commit it sees no other active admin.
        const second = sql[1]!.query(`UPDATE users SET active = false WHERE id = ${b!.id}`);
        await sql[0]!.query('COMMIT');
        await assert.rejects(
          second,
          (error: { code?: string; constraint?: string }) =>
            error.code === '23514' && error.constraint === 'users_keep_an_active_admin',
        );
        await sql[1]!.query('ROLLBACK');
        assert.equal(await activeAdmins(), 1);
      } finally {
        await Promise.all(sql.map((c) => c.end()));
      }
    });
  });

  describe('the console', () => {
    const signIn = async (email: string) => {
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(email, TEST_PASSWORD)).status, 302);
      return http;
    };
    const edit = (http: HttpSession, id: number, payload: Record<string, unknown>) =>
      http.api(`/resources/users/records/${id}/edit`, 'POST', payload);

    it('refuses an admin demoting or deactivating themselves when they are the last one, saying why, audited as denied', async () => {
      const [admin] = await onlyAdmins(1);
      const http = await signIn(admin!.email);
      for (const change of [{ role: 'auditor' }, { active: false }, { active: 'false' }]) {
        const answer = await edit(http, admin!.id, change);
        assert.equal(answer.status, 200);
        const body = (await answer.json()) as { notice?: { type: string; message: string } };
        assert.equal(body.notice?.type, 'error', JSON.stringify(change));
        assert.match(body.notice?.message ?? '', /no active admin.*Make another user an active admin first/);
        assert.equal((await lastEvent('users.update', admin!.id))?.outcome, 'denied');
      }
      const row = await User.findByPk(admin!.id);
      assert.equal(row?.role, 'admin');
      assert.equal(row?.active, true);
      assert.equal((await http.api('/resources/records/actions/list')).status, 200, 'still signed in as an admin');
    });

    it('lets only one of two admins demoting each other at the same time succeed', async () => {
      for (let round = 0; round < 3; round += 1) {
        const [a, b] = await onlyAdmins(2);
        const [httpA, httpB] = await Promise.all([signIn(a!.email), signIn(b!.email)]);
        const answers = await Promise.all([
          edit(httpA, b!.id, { role: 'auditor' }),
          edit(httpB, a!.id, { active: false }),
        ]);
        // The loser is refused either by the last-admin rule (an error notice) or, when the other's change
        // committed before its request was checked, because it is no longer an active admin at all.
        const outcomes = await Promise.all(
          answers.map(async (r) => {
            if (r.status === 401 || r.status === 403 || r.redirected) return 'refused';
            return ((await r.json()) as { notice?: { type: string } }).notice?.type ?? `status ${r.status}`;
          }),
        );
        assert.equal(outcomes.filter((o) => o === 'success').length, 1, `round ${round}: ${outcomes.join(', ')}`);
        assert.ok(
          outcomes.some((o) => o === 'error' || o === 'refused'),
          `round ${round}: ${outcomes.join(', ')}`,
        );
        assert.equal(await activeAdmins(), 1, `round ${round}`);
        await User.update({ active: true }, { where: { id: setAside } });
        setAside = [];
      }
    });

    it('edits and deletes users through the same services: changes audited, other admins may go', async () => {
      const [admin, other] = await onlyAdmins(2);
      const http = await signIn(admin!.email);
      const answer = await edit(http, other!.id, { role: 'auditor', name: 'Renamed Person', active: true });
      assert.equal(((await answer.json()) as { notice?: { type: string } }).notice?.type, 'success');
      const event = await lastEvent('users.update', other!.id);
      assert.equal(event?.outcome, 'success');
      assert.deepEqual(event?.before, { role: 'admin', name: null });
      assert.deepEqual(event?.after, { role: 'auditor', name: 'Renamed Person' });
      const weak = await edit(http, other!.id, { newPassword: 'short1!' });
      const weakBody = (await weak.json()) as { record?: { errors?: Record<string, { message: string }> } };
      assert.match(weakBody.record?.errors?.newPassword?.message ?? '', /at least 12 characters/);
      for (const [field, value] of [
        ['email', 'not an email'],
        ['role', 'root'],
      ] as const) {
        const bad = await edit(http, other!.id, { [field]: value });
        assert.equal(bad.status, 200, `${field}=${value}`);
        const badBody = (await bad.json()) as {
          notice?: { type: string };
          record?: { errors?: Record<string, { message: string }> };
        };
        assert.equal(badBody.notice?.type, 'error');
        assert.ok(
          badBody.record?.errors?.[field]?.message,
          `${field} has its own message: ${JSON.stringify(badBody).slice(0, 600)}`,
        );
      }
      const deleted = await http.api(`/resources/users/records/${other!.id}/delete`, 'POST');
      assert.equal(((await deleted.json()) as { notice?: { type: string } }).notice?.type, 'success');
      assert.equal(await User.count({ where: { id: other!.id } }), 0);
      assert.equal((await lastEvent('users.delete', other!.id))?.outcome, 'success');
    });

    it('offers no bulk delete of users, and no delete of oneself', async () => {
      const [admin, other] = await onlyAdmins(2);
      const http = await signIn(admin!.email);
      const bulk = await http.api(`/resources/users/bulk/bulkDelete?recordIds=${admin!.id},${other!.id}`, 'POST');
      assert.equal(bulk.status, 403);
      // Deleting oneself is refused by the rule table (notSelf), which AdminJS applies per record.
      const self = await http.api(`/resources/users/records/${admin!.id}/delete`, 'POST');
      assert.doesNotMatch(await self.text(), /"type":"success"/);
      assert.equal(await User.count({ where: { id: admin!.id } }), 1);
      assert.equal(await activeAdmins(), 2);
    });
  });

  describe('cli createuser', () => {
    const createuser = (...args: string[]) =>
      spawnSync(process.execPath, [MAIN, 'createuser', ...args], {
        env: {
          ...process.env,
          DATABASE_URL: testDatabaseUrl(),
          SESSION_SECRET: TEST_SESSION_SECRET,
          LOG_LEVEL: 'error',
        },
        encoding: 'utf8',
      });

    it('reactivates an inactive user, says so, and audits it', async () => {
      const email = `${unique('reactivate')}@example.com`;
      const { user } = await saveUser(cli, { email, role: 'auditor', password: TEST_PASSWORD });
      await User.update({ active: false }, { where: { id: user.id } });
      const done = createuser('--email', email, '--role', 'admin', '--password', 'amber kettle harbour');
      assert.equal(done.status, 0, done.stderr + done.stdout);
      assert.match(done.stdout, /Updated .* \(admin\)\. The account was inactive and is active again\./);
      const row = await User.findByPk(user.id);
      assert.equal(row?.active, true);
      assert.equal(row?.role, 'admin');
      const event = await lastEvent('users.update', user.id);
      assert.equal(event?.outcome, 'success');
      assert.match(event?.actorLabel ?? '', /^cli:/);
      assert.equal((event?.before as { active: boolean }).active, false);
      assert.equal((event?.after as { active: boolean }).active, true);
    });

    it('refuses to demote the last active admin, with the reason and a non-zero exit', async () => {
      const [admin] = await onlyAdmins(1);
      const done = createuser('--email', admin!.email, '--role', 'auditor', '--password', 'amber kettle harbour');
      assert.notEqual(done.status, 0);
      assert.match(done.stderr + done.stdout, /would leave no active admin/);
      assert.equal((await User.findByPk(admin!.id))?.role, 'admin');
      assert.equal((await lastEvent('users.update', admin!.id))?.outcome, 'denied');
    });
  });
});
