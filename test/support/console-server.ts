import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { composeWebApp } from '../../src/web/compose-web-app.js';
import { changeNotifications } from '../../src/db/change-notifications.js';
import { startQueue } from '../../src/jobs/queue.js';
import { loadConfig } from '../../src/platform/config.js';
import { sessionOptions } from '../../src/server/session.js';
import { saveUser } from '../../src/users/save-user.js';
import type { Role } from '../../models/enums.js';
import { testDatabaseUrl } from '../setup/hooks.js';
import { TEST_SESSION_SECRET } from './cli-process.js';
import { unique, useTestDatabase } from './database.js';

export interface RunningConsole {
  baseUrl: string;
  /** Writes the API's in-memory statistics now (inference_stats). */
  flushApi(): Promise<void>;
  stop(): Promise<void>;
}

/** The real app (console included) on a free port of 127.0.0.1, against the test database. */
export async function startConsoleServer(env: NodeJS.ProcessEnv = {}): Promise<RunningConsole> {
  const sequelize = await useTestDatabase();
  await startQueue(testDatabaseUrl());
  return serveWebApp({ url: testDatabaseUrl(), sequelize }, env);
}

/**
 * The real app (console and API, sessions in Postgres, caches dropped on change notifications) in
 * this process on a free port of 127.0.0.1, against the database at `url` (a benchmark's own, say).
 */
export async function serveWebApp(
  db: { url: string; sequelize: Sequelize },
  env: NodeJS.ProcessEnv = {},
): Promise<RunningConsole> {
  const { url, sequelize } = db;
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', ...env });
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  const secret = TEST_SESSION_SECRET;
  const session = { ...sessionOptions(pool, secret, config), secret };
  await changeNotifications.start(url);
  const { app, api, closeApi } = await composeWebApp({ config, sequelize, session });
  const server: Server = await new Promise((resolve) => {
    const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    flushApi: async () => api()?.flush(),
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeApi();
      await changeNotifications.stop();
      await pool.end();
    },
  };
}

export const TEST_PASSWORD = 'violet trombone cabinet';

/** A fresh user of `role` with TEST_PASSWORD. */
export async function createTestUser(role: Role): Promise<{ id: number; email: string; role: Role }> {
  const email = `${unique(role.replace('_', '-'))}@example.com`;
  const { user } = await saveUser({ type: 'system' }, { email, role, password: TEST_PASSWORD });
  return { id: user.id, email, role };
}

/** A tiny cookie-keeping HTTP client, like a browser that never runs scripts. */
export class HttpSession {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const send = () =>
      fetch(`${this.baseUrl}${path}`, {
        redirect: 'manual',
        ...init,
        headers: { ...(cookie ? { cookie } : {}), ...(init.headers ?? {}) },
      });
    // A kept-alive connection the server closed just as it was reused fails before any answer: a browser
    // sends the request again on a new connection, and so does this client (once). A server that really
    // dies is caught by the tests that watch its processes, not by this.
    const response = await send().catch((error: unknown) => {
      if (!closedBeforeAnswer(error)) throw error;
      return send();
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Signs in through the console's login form and, like a browser, follows the redirect. */
  async login(email: string, password: string): Promise<Response> {
    const response = await this.request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }).toString(),
    });
    const location = response.headers.get('location');
    // Read the whole page: express-session finishes saving the session (with the new CSRF token)
    // before it ends the body, as a browser would wait for it before running the page's scripts.
    if (response.status === 302 && location) await (await this.request(location)).text();
    return response;
  }

  /** A console API call as AdminJS's client makes it: JSON, with the CSRF header from the cookie. */
  async api(path: string, method = 'GET', body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.cookies.get('XSRF-TOKEN');
    if (token) headers['x-xsrf-token'] = decodeURIComponent(token);
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.request(`/admin/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

/** fetch's error when the connection closed before any byte of the answer came back. */
function closedBeforeAnswer(error: unknown): boolean {
  const cause =
    error instanceof TypeError ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code === 'UND_ERR_SOCKET' && cause.message === 'other side closed';
}
