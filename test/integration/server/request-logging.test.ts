import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../../src/platform/project-root.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { useTestDatabase } from '../../support/database.js';
import { createTestUser, TEST_PASSWORD } from '../../support/console-server.js';
import { freePort } from '../../support/free-port.js';

const MAIN = path.join(projectRoot, 'dist', 'src', 'cli', 'main.js');

interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

describe('request logs of a real server process (pino JSON lines on stdout)', () => {
  let child: ChildProcess;
  let output = '';
  let baseUrl: string;

  before(async () => {
    await useTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // The web server as `npm start -- --web-only` runs it, on the test database, logging at info.
    child = spawn(process.execPath, [MAIN, 'start', '--web-only'], {
      env: {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        SESSION_SECRET: TEST_SESSION_SECRET,
        PORT: String(port),
        SEED_DEMO_DATA: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(
      () => output.includes('Stop with Ctrl-C.'),
      90_000,
      () => `server not ready:\n${output}`,
    );
  });

  after(async () => {
    if (child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  });

  const logLines = (): LogLine[] =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  it('logs a login with its request id on every line and no password, cookie, authorization or session id', async () => {
    const user = await createTestUser('auditor');
    const loginId = `login-${process.pid}-${Date.now()}`;
    const login = await fetch(`${baseUrl}/admin/login?next=query-secret-value`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-request-id': loginId,
        cookie: 'modeldesk.sid=planted-cookie-value; other=other-cookie-value',
        authorization: 'Bearer authorization-header-value',
      },
      body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD }).toString(),
    });
    await login.arrayBuffer();
    assert.equal(login.status, 302, 'signed in');
    const sessionCookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('modeldesk.sid='))!
      .split(';')[0]!;
    const sessionId = /^modeldesk\.sid=s%3A([^.]+)\./.exec(sessionCookie)?.[1];
    assert.ok(sessionId, sessionCookie);

    const pageId = `page-${process.pid}-${Date.now()}`;
    const page = await fetch(`${baseUrl}/admin`, { headers: { cookie: sessionCookie, 'x-request-id': pageId } });
    await page.text();
    assert.equal(page.status, 200);

    await eventually(
      () => logLines().some((l) => l.requestId === pageId),
      10_000,
      () => `no log line for ${pageId}:\n${output}`,
    );
    const lines = logLines();
    const loginLine = lines.find((l) => l.requestId === loginId);
    assert.deepEqual(
      loginLine?.req,
      { method: 'POST', url: '/admin/login' },
      'the path is logged without its query string',
    );
    assert.equal(loginLine?.res?.statusCode, 302);
    for (const line of lines.filter((l) => l.req))
      assert.ok(line.requestId, `a request line without a request id: ${JSON.stringify(line)}`);
    assert.ok(
      lines.every((l) => l.level >= 30),
      'LOG_LEVEL=info: nothing below info',
    );

    const secrets = [
      TEST_PASSWORD,
      encodeURIComponent(TEST_PASSWORD),
      TEST_PASSWORD.replaceAll(' ', '+'),
      'planted-cookie-value',
      'other-cookie-value',
      'authorization-header-value',
      'query-secret-value',
      sessionCookie.slice('modeldesk.sid='.length),
      sessionId,
    ];
    for (const secret of secrets) assert.ok(!output.includes(secret), `the server output contains ${secret}`);
  });
});

async function eventually(check: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
