import assert from 'node:assert/strict';
import http from 'node:http';
import { Op } from 'sequelize';
import { AuditEvent, User } from '../../models/index.js';
import { MAX_FAILED_LOGINS, MAX_FAILURES_PER_IP } from '../../src/auth/verify-login.js';
import { unique, useTestDatabase } from '../support/database.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

/**
 * What any script does: plain fetch, no cookie jar, straight to the login form. The server trusts
 * X-Forwarded-For (TRUST_PROXY) so each test can speak from its own address.
 */
describe('security: sign-in throttling holds under concurrency, for cookieless clients (real server)', () => {
  let server: RunningConsole;
  let nextAddress = 10;
  const freshAddress = () => `192.0.2.${(nextAddress += 1)}`;
  /** One address per request: only the per-account limit applies. */
  let spread = 0;
  const spreadAddress = () => `10.${Math.floor((spread += 1) / 250) % 250}.${spread % 250}.${(spread % 200) + 1}`;

  let firstSeq = 0;

  before(async () => {
    await useTestDatabase();
    firstSeq = (await AuditEvent.max<number | null, AuditEvent>('seq')) ?? 0;
    server = await startConsoleServer({ TRUST_PROXY: 'true' });
  });
  after(() => server?.stop());

  const login = async (email: string, password: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ email, password }).toString(),
    });
    await response.text();
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id') ?? '',
      signedIn: response.status === 302,
    };
  };

  /**
   * A script whose body arrives after its headers, in a later packet (Python's http.client, curl with
   * `Expect: 100-continue`): the form is parsed on the socket's events, not in the request's own call.
   */
  const slowLogin = (email: string, password: string, agent: string) =>
    new Promise<{ status: number; requestId: string; signedIn: boolean }>((resolve, reject) => {
      const body = new URLSearchParams({ email, password }).toString();
      const request = http.request(`${server.baseUrl}/admin/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'user-agent': agent,
        },
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({ status, requestId: String(response.headers['x-request-id'] ?? ''), signedIn: status === 302 });
        });
      });
      request.on('error', reject);
      request.flushHeaders();
      setTimeout(() => request.end(body), 100);
    });

  /** Password checks made for an account: the attempts that reached argon2 (failed or succeeded). */
  const checksFor = (userId: number) =>
    AuditEvent.count({
      where: {
        action: 'auth.login',
        recordIds: { [Op.contains]: [String(userId)] },
        outcome: { [Op.in]: ['failed', 'success'] },
      },
    });

  const waitUntilLocked = async (userId: number) => {
    for (;;) {
      const row = await User.findByPk(userId);
      if (row?.lockedUntil && row.lockedUntil > new Date()) return;
      // The lock lasts LOCKOUT_MINUTES: looking every 25 ms (not 5) still sends the right password while
      // the burst is in flight, with a fifth of the queries competing with it.
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  for (const burst of [40, 200]) {
    it(`checks at most ${MAX_FAILED_LOGINS} passwords of ${burst} concurrent guesses for one account, and refuses the right one that comes while locked`, async function () {
      this.timeout(180_000);
      const user = await createTestUser('auditor');
      const wrong = Array.from({ length: burst - 1 }, (_, i) =>
        login(user.email, `wrong guess ${i}`, { 'x-forwarded-for': spreadAddress() }),
      );
      await waitUntilLocked(user.id);
      const right = login(user.email, TEST_PASSWORD, { 'x-forwarded-for': spreadAddress() });
      const answers = await Promise.all([...wrong, right]);
      assert.equal(answers.filter((a) => a.signedIn).length, 0, 'nobody signs in');
      assert.ok((await checksFor(user.id)) <= MAX_FAILED_LOGINS, `checked ${await checksFor(user.id)} passwords`);
      const rightEvent = await AuditEvent.findOne({
        where: { action: 'auth.login', requestId: (await right).requestId },
      });
      assert.equal(rightEvent?.outcome, 'denied');
      assert.equal(rightEvent?.reason, 'account locked');
      const events = await AuditEvent.count({
        where: { action: 'auth.login', recordIds: { [Op.contains]: [String(user.id)] } },
      });
      assert.equal(events, burst, 'every attempt is audited');
      assert.equal(
        (await login(user.email, TEST_PASSWORD, { 'x-forwarded-for': spreadAddress() })).signedIn,
        false,
        'still locked afterwards',
      );
    });
  }

  it(`refuses an address after ${MAX_FAILURES_PER_IP} failures across many accounts, 200 at once, even with a right password`, async function () {
    this.timeout(180_000);
    const address = freshAddress();
    const users = await Promise.all(Array.from({ length: 4 }, () => createTestUser('auditor')));
    const attempts = Array.from({ length: 200 }, (_, i) =>
      login(i % 2 === 0 ? `${unique('stuffed')}@example.com` : users[i % 4]!.email, `stuffed guess ${i}`, {
        'x-forwarded-for': address,
      }),
    );
    await Promise.all(attempts);
    const events = await AuditEvent.findAll({ where: { action: 'auth.login', ip: address } });
    assert.equal(events.length, 200, 'every attempt is audited with its address');
    const checked = events.filter((e) => e.outcome !== 'denied').length;
    assert.ok(checked <= MAX_FAILURES_PER_IP, `checked ${checked} passwords from one address`);
    const fresh = await createTestUser('auditor');
    const refused = await login(fresh.email, TEST_PASSWORD, { 'x-forwarded-for': address });
    assert.equal(refused.signedIn, false, 'the address is refused, right password or not');
    const event = await AuditEvent.findOne({ where: { action: 'auth.login', requestId: refused.requestId } });
    assert.equal(event?.outcome, 'denied');
    assert.match(event?.reason ?? '', /from this address/);
    assert.equal(
      (await login(fresh.email, TEST_PASSWORD, { 'x-forwarded-for': freshAddress() })).signedIn,
      true,
      'another address is not affected',
    );
  });

  it('knows the address, user agent and request id of every cookieless sign-in (no proxy header either)', async () => {
    const user = await createTestUser('auditor');
    const agent = `throttle-test-agent/${unique('ua')}`;
    const answers = [
      await login(user.email, 'a wrong password', { 'user-agent': agent }),
      await login(`${unique('nobody')}@example.com`, 'a wrong password', { 'user-agent': agent }),
      await login(user.email, TEST_PASSWORD, { 'user-agent': agent }),
      await slowLogin(user.email, 'a wrong password', agent),
      await slowLogin(`${unique('nobody')}@example.com`, 'a wrong password', agent),
      await slowLogin(user.email, TEST_PASSWORD, agent),
    ];
    assert.deepEqual(
      answers.map((a) => a.signedIn),
      [false, false, true, false, false, true],
    );
    for (const answer of answers) {
      const event = await AuditEvent.findOne({ where: { action: 'auth.login', requestId: answer.requestId } });
      assert.ok(event, `an auth.login event with request id ${answer.requestId}`);
      assert.equal(event.ip, '127.0.0.1');
      assert.equal(event.userAgent, agent);
    }
  });

  it('gave every auth.login event of these tests an address, a user agent and a request id', async () => {
    const missing = await AuditEvent.count({
      where: {
        action: 'auth.login',
        seq: { [Op.gt]: firstSeq },
        [Op.or]: [{ ip: null }, { userAgent: null }, { requestId: null }],
      },
    });
    assert.equal(missing, 0);
  });
});
