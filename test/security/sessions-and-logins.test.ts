import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { AuditEvent, User } from '../../models/index.js';
import { LOCKOUT_MINUTES, MAX_FAILED_LOGINS } from '../../src/auth/verify-login.js';
import { saveUser } from '../../src/users/save-user.js';
import { useTestDatabase } from '../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';

const IDLE_MINUTES = 7;
const ABSOLUTE_HOURS = 2;

/** The session id inside a signed `modeldesk.sid` cookie value (`s:<id>.<signature>`, URL-encoded). */
const sessionIdOf = (cookie: string) => /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(cookie))?.[1] ?? '';

let nextAddress = 10;
/** A fresh client address per test (the server trusts X-Forwarded-For): failed sign-ins are throttled per address. */
const freshAddress = () => `198.51.100.${(nextAddress += 1)}`;

describe('security: sessions, sign-in throttling and user enumeration (real server)', () => {
  let server: RunningConsole;

  before(async () => {
    await useTestDatabase();
    server = await startConsoleServer({
      TRUST_PROXY: 'true',
      SESSION_IDLE_MINUTES: String(IDLE_MINUTES),
      SESSION_ABSOLUTE_HOURS: String(ABSOLUTE_HOURS),
    });
  });
  after(() => server?.stop());

  /** A client at its own address; `login` posts the console's form like a browser. */
  const client = () => {
    const http = new HttpSession(server.baseUrl);
    const address = freshAddress();
    const login = (email: string, password: string) =>
      http.request('/admin/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
        body: new URLSearchParams({ email, password }).toString(),
      });
    return { http, address, login };
  };

  const signedIn = async (role: 'admin' | 'content_manager' | 'auditor') => {
    const user = await createTestUser(role);
    const { http } = client();
    assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
    const list = await http.api('/resources/records/actions/list');
    assert.equal(list.status, 200);
    // Read the whole answer: express-session writes the session's new expiry to Postgres before it sends the
    // last byte, and the tests below change that row; reading only the status raced that write.
    await list.text();
    return { http, user };
  };

  const sessionRow = async (http: HttpSession) => {
    const sequelize = await useTestDatabase();
    const [row] = await sequelize.query<{ expire: Date; sess: { signedInAt?: number } }>(
      'SELECT expire, sess FROM session WHERE sid = :sid',
      {
        replacements: { sid: sessionIdOf(http.cookies.get('modeldesk.sid') ?? '') },
        type: QueryTypes.SELECT,
      },
    );
    return row;
  };

  it(`keeps a session alive only SESSION_IDLE_MINUTES (${IDLE_MINUTES}) past its last request, and ends it after that`, async () => {
    const { http } = await signedIn('auditor');
    const row = await sessionRow(http);
    assert.ok(row, 'the session is stored in Postgres');
    const minutesLeft = (row.expire.getTime() - Date.now()) / 60_000;
    assert.ok(
      minutesLeft > IDLE_MINUTES - 1 && minutesLeft < IDLE_MINUTES + 0.5,
      `expires in ${minutesLeft.toFixed(2)} minutes`,
    );
    const sequelize = await useTestDatabase();
    await sequelize.query(`UPDATE session SET expire = now() - interval '1 second' WHERE sid = :sid`, {
      replacements: { sid: sessionIdOf(http.cookies.get('modeldesk.sid')!) },
    });
    const idle = await http.api('/resources/records/actions/list');
    assert.equal(idle.status, 302, 'an idle session signs in nobody');
    assert.match(idle.headers.get('location') ?? '', /\/admin\/login/);
  });

  it(`ends a session SESSION_ABSOLUTE_HOURS (${ABSOLUTE_HOURS}) after sign-in even while it is in use, and deletes it`, async () => {
    const { http } = await signedIn('auditor');
    const sid = sessionIdOf(http.cookies.get('modeldesk.sid')!);
    const sequelize = await useTestDatabase();
    const signedInLongAgo = Date.now() - ABSOLUTE_HOURS * 3_600_000 - 1_000;
    await sequelize.query(
      `UPDATE session SET sess = jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb(:at::bigint))::json WHERE sid = :sid`,
      { replacements: { sid, at: signedInLongAgo } },
    );
    assert.equal((await http.api('/resources/records/actions/list')).status, 401);
    const [left] = await sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM session WHERE sid = :sid', {
      replacements: { sid },
      type: QueryTypes.SELECT,
    });
    assert.equal(left?.n, 0, 'the server-side session is gone');
  });

  it('gives a new session id when the role changes, and the old id signs in nobody', async () => {
    const { http, user } = await signedIn('content_manager');
    const before = http.cookies.get('modeldesk.sid')!;
    await saveUser({ type: 'system' }, { email: user.email, role: 'auditor' });
    const answer = await http.api('/resources/records/actions/list');
    assert.equal(answer.status, 200);
    const after = http.cookies.get('modeldesk.sid')!;
    assert.notEqual(after, before, 'the session id was rotated with the privilege change');
    const replay = new HttpSession(server.baseUrl);
    replay.cookies.set('modeldesk.sid', before);
    assert.equal((await replay.api('/resources/records/actions/list')).status, 302);
    // The new role applies at once: an auditor may not edit records.
    const edit = await http.api('/resources/records/actions/new', 'POST', { text: 'x' });
    assert.equal(edit.status, 403);
  });

  it(`locks an account after ${MAX_FAILED_LOGINS} wrong passwords through the login form, refuses even the right one, and audits every attempt`, async () => {
    const user = await createTestUser('content_manager');
    const { login, address } = client();
    for (let i = 0; i < MAX_FAILED_LOGINS; i += 1)
      assert.equal((await login(user.email, `wrong guess number ${i}`)).status, 200);
    const locked = await login(user.email, TEST_PASSWORD);
    assert.equal(locked.status, 200, 'the right password does not sign in while locked');
    assert.match(await locked.text(), /Wrong email or password/);
    const row = await User.findByPk(user.id);
    assert.ok(row?.lockedUntil && row.lockedUntil.getTime() > Date.now() + (LOCKOUT_MINUTES - 1) * 60_000);
    const events = await AuditEvent.findAll({ where: { action: 'auth.login', ip: address }, order: [['seq', 'ASC']] });
    assert.deepEqual(
      events.map((e) => e.outcome),
      [...Array<string>(MAX_FAILED_LOGINS).fill('failed'), 'denied'],
    );
    assert.equal(events.at(-1)?.reason, 'account locked');
    assert.ok(
      events.every((e) => !JSON.stringify(e.toJSON()).includes('wrong guess')),
      'no attempted password is recorded',
    );
  });

  it('answers an unknown email, a wrong password, a locked and an inactive account with the same page', async () => {
    const known = await createTestUser('auditor');
    const locked = await createTestUser('auditor');
    await User.update({ lockedUntil: new Date(Date.now() + 3_600_000) }, { where: { id: locked.id } });
    const inactive = await createTestUser('auditor');
    await User.update({ active: false }, { where: { id: inactive.id } });
    const pages: string[] = [];
    for (const [email, password] of [
      ['nobody-at-all@example.com', TEST_PASSWORD],
      [known.email, 'not the password'],
      [locked.email, TEST_PASSWORD],
      [inactive.email, TEST_PASSWORD],
    ] as const) {
      const answer = await client().login(email, password);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.getSetCookie().length, 0, 'no session is started');
      // The page differs only by its CSP nonce (and the email typed, which is not echoed).
      pages.push((await answer.text()).replace(/nonce="[^"]+"/g, 'nonce=""'));
    }
    assert.ok(
      pages.every((page) => page === pages[0]),
      'one answer for every failure',
    );
    assert.ok(!pages[0]!.includes(known.email));
  });

  it('takes as long for an unknown email as for a wrong password (a real argon2 check either way)', async () => {
    const known = await createTestUser('auditor');
    const time = async (email: string) => {
      const started = performance.now();
      await (await client().login(email, 'not the password')).text();
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Interleaved, so a burst of load on this shared machine hits both alike; 4 wrong passwords stay under the lockout.
    for (let i = 0; i < 4; i += 1) {
      unknown.push(await time(`nobody-${i}@example.com`));
      wrong.push(await time(known.email));
    }
    const ratio = median(unknown) / median(wrong);
    // Without the dummy verification an unknown email answers ~50× faster (no 19 MiB argon2id run).
    assert.ok(
      ratio > 0.33 && ratio < 3,
      `unknown ${median(unknown).toFixed(1)} ms vs wrong ${median(wrong).toFixed(1)} ms`,
    );
  });

  it('refuses a weak password set in the console, saying why, and stores nothing', async () => {
    const { http } = await signedIn('admin');
    const email = `weak-${Date.now()}@example.com`;
    for (const password of ['short1!', 'Password123!', 'aaaaaaaaaaaaaaa']) {
      const answer = await http.api('/resources/users/actions/new', 'POST', {
        email,
        role: 'auditor',
        active: true,
        newPassword: password,
      });
      const body = (await answer.json()) as { record?: { errors?: Record<string, { message: string }> } };
      assert.match(
        body.record?.errors?.newPassword?.message ?? '',
        /Password (must be at least|is a commonly breached|is too repetitive)/,
        password,
      );
      assert.equal(await User.count({ where: { email } }), 0);
    }
  });
});
