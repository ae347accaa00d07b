import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { HSTS_VALUE } from '../../src/server/security-headers.js';
import { testDatabaseUrl } from '../setup/hooks.js';
import { MAIN, startCli, stopProcess, TEST_SESSION_SECRET, type CliProcess } from '../support/cli-process.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { useTestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request that trusts only `ca` (the test's own self-signed certificate). */
function httpsRequest(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A certificate for 127.0.0.1 and its key, written to a temporary folder. */
async function writeCertificate(dir: string, name: string): Promise<{ cert: string; key: string; pem: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  fs.writeFileSync(cert, pems.cert);
  fs.writeFileSync(key, pems.private, { mode: 0o600 });
  return { cert, key, pem: pems.cert };
}

const sessionCookieOf = (answer: Answer) =>
  [answer.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('modeldesk.sid='));

/** `cli web` run to its end: exit code and everything it printed (for start-up refusals). */
async function webExit(env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, 'web'], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'warn', ...env },
      timeout: 60_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('security: HTTPS, HSTS, secure cookies and secrets (real processes)', () => {
  let dir: string;
  let good: { cert: string; key: string; pem: string };

  before(async () => {
    await useTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-tls-'));
    good = await writeCertificate(dir, 'server');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('with TLS_CERT and TLS_KEY', () => {
    let web: CliProcess;
    let port: number;
    let redirectPort: number;

    before(async () => {
      port = await freePort();
      redirectPort = await freePort();
      web = await startCli(
        ['web'],
        {
          ...process.env,
          DATABASE_URL: testDatabaseUrl(),
          PORT: String(port),
          TLS_CERT: good.cert,
          TLS_KEY: good.key,
          HTTP_REDIRECT_PORT: String(redirectPort),
          LOG_LEVEL: 'debug',
        },
        'web process listening',
      );
    });
    after(async () => {
      if (web) await stopProcess(web.child);
    });

    it('serves the console over HTTPS with HSTS and Secure, HttpOnly, SameSite=Strict cookies', async () => {
      const page = await httpsRequest(`https://127.0.0.1:${port}/admin/login`, good.pem);
      assert.equal(page.status, 200);
      assert.equal(page.headers['strict-transport-security'], HSTS_VALUE);
      const user = await createTestUser('content_manager');
      const login = await httpsRequest(`https://127.0.0.1:${port}/admin/login`, good.pem, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `https://127.0.0.1:${port}` },
        body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD }).toString(),
      });
      assert.equal(login.status, 302, login.body);
      const cookie = sessionCookieOf(login);
      assert.ok(cookie, 'a session cookie is set');
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Strict/);
      const dashboard = await httpsRequest(`https://127.0.0.1:${port}/admin`, good.pem, {
        headers: { cookie: cookie.split(';')[0]! },
      });
      assert.equal(dashboard.status, 200);
      const xsrf = [dashboard.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('XSRF-TOKEN='));
      assert.ok(xsrf, 'the CSRF cookie is issued to the signed-in session');
      assert.match(xsrf, /; Secure/);
    });

    it('sends HSTS on the API, its fast predict path included', async () => {
      const spec = await httpsRequest(`https://127.0.0.1:${port}/api/openapi.json`, good.pem);
      assert.equal(spec.status, 200);
      assert.equal(spec.headers['strict-transport-security'], HSTS_VALUE);
      const predict = await httpsRequest(`https://127.0.0.1:${port}/api/v1/models/any/predict`, good.pem, {
        method: 'POST',
        headers: { authorization: 'Bearer mdk_nothing0_notakey', 'content-type': 'application/json' },
        body: '{"instances":[[1]]}',
      });
      assert.equal(predict.status, 401);
      assert.equal(predict.headers['strict-transport-security'], HSTS_VALUE);
    });

    it('redirects plain HTTP on HTTP_REDIRECT_PORT to the same path over HTTPS (308), and serves nothing there', async () => {
      const answer = await fetch(`http://127.0.0.1:${redirectPort}/admin/resources/records?filters.label=spam`, {
        redirect: 'manual',
        method: 'POST',
        body: 'x=1',
      });
      assert.equal(answer.status, 308);
      assert.equal(
        answer.headers.get('location'),
        `https://127.0.0.1:${port}/admin/resources/records?filters.label=spam`,
      );
      assert.equal(answer.headers.get('set-cookie'), null);
      // fetch() sets Host itself: a malformed one (that would make a redirect elsewhere) needs node:http.
      const badHost = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: redirectPort, path: '/', headers: { host: 'evil.example/@x' } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      assert.equal(badHost, 400);
    });

    it('never writes the session secret, a password or a session cookie to its log, even at debug level', () => {
      const output = web.output();
      assert.ok(output.includes('web process listening'));
      assert.ok(!output.includes(TEST_SESSION_SECRET), 'no session secret');
      assert.ok(!output.includes(TEST_PASSWORD), 'no password');
      assert.doesNotMatch(output, /modeldesk\.sid=s%3A/, 'no session cookie');
    });
  });

  it("refuses to start with half a TLS configuration, or a key that is not the certificate's, naming the variable", async () => {
    const half = await webExit({ TLS_CERT: good.cert });
    assert.equal(half.code, 78, half.output);
    assert.match(half.output, /TLS_KEY.*TLS_CERT and TLS_KEY go together/);
    const other = await writeCertificate(dir, 'other');
    const mismatched = await webExit({ TLS_CERT: good.cert, TLS_KEY: other.key, PORT: String(await freePort()) });
    assert.equal(mismatched.code, 78, mismatched.output);
    assert.match(mismatched.output, /TLS_CERT\/TLS_KEY: not a usable certificate and private key pair/);
    const missing = await webExit({
      TLS_CERT: path.join(dir, 'nope.crt'),
      TLS_KEY: good.key,
      PORT: String(await freePort()),
    });
    assert.equal(missing.code, 78);
    assert.match(missing.output, /TLS_CERT=.*nope\.crt.*cannot be read \(ENOENT\)/);
  });

  it('refuses to serve in production against DATABASE_URL without SESSION_SECRET, and never echoes a short one', async () => {
    const unset = await webExit({ SESSION_SECRET: '', NODE_ENV: 'production', PORT: String(await freePort()) });
    assert.equal(unset.code, 78, unset.output);
    assert.match(unset.output, /SESSION_SECRET: required in production with DATABASE_URL/);
    const short = await webExit({ SESSION_SECRET: 'hunter2-but-longer', NODE_ENV: 'production' });
    assert.equal(short.code, 78);
    assert.match(short.output, /SESSION_SECRET=\(18 characters, not shown\)/);
    assert.ok(!short.output.includes('hunter2'));
  });

  describe('behind a proxy', () => {
    let proxied: RunningConsole;
    let direct: RunningConsole;
    before(async () => {
      proxied = await startConsoleServer({ TRUST_PROXY: 'true' });
      direct = await startConsoleServer();
    });
    after(async () => {
      await proxied?.stop();
      await direct?.stop();
    });

    const loginVia = async (server: RunningConsole, headers: Record<string, string>) => {
      const user = await createTestUser('auditor');
      return fetch(`${server.baseUrl}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD }).toString(),
      });
    };

    it('trusts X-Forwarded-Proto only with TRUST_PROXY: then HSTS and Secure cookies follow it', async () => {
      const secure = await loginVia(proxied, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
      assert.equal(secure.status, 302);
      assert.equal(secure.headers.get('strict-transport-security'), HSTS_VALUE);
      assert.match(
        secure.headers.getSetCookie().find((c) => c.startsWith('modeldesk.sid='))!,
        /; Secure/,
      );
      const forged = await loginVia(direct, { 'x-forwarded-proto': 'https' });
      assert.equal(forged.status, 302);
      assert.equal(forged.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
      assert.doesNotMatch(
        forged.headers.getSetCookie().find((c) => c.startsWith('modeldesk.sid='))!,
        /; Secure/,
      );
    });
  });
});
