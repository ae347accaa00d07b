import type http from 'node:http';
import type session from 'express-session';
import type { Sequelize } from 'sequelize';
import { lazyApi, type Api } from '../api/index.js';
import type { RequestStats } from '../monitoring/request-stats.js';
import type { Config } from '../platform/config.js';
import { createApp } from '../server/app.js';
import { formatChecks } from './startup-checks.js';

// The composition root: the only module in src/ that loads the AdminJS console (admin/ imports src/,
// not the reverse), and by dynamic import, so nothing else in src/ pulls AdminJS in.
const loadConsole = () => import('../../admin/index.js');

/**
 * The web app of a process: the API, the AdminJS console, sessions, security, health and metrics.
 * What `serveWeb` serves, and what the tests and the screenshot script serve.
 */
export async function composeWebApp(deps: {
  config: Config;
  sequelize: Sequelize;
  session: session.SessionOptions & { secret: string };
  requestStats?: RequestStats;
}): Promise<{ app: http.RequestListener; api: () => Api | undefined; closeApi: () => Promise<void> }> {
  const { buildConsole } = await loadConsole();
  const { config, sequelize, session: sessionConfig, requestStats } = deps;
  const api = lazyApi({ config, sequelize, sessionCookieName: sessionConfig.name ?? 'connect.sid' });
  const app = createApp({
    config,
    sequelize,
    session: sessionConfig,
    console: buildConsole(config, sessionConfig),
    ...(requestStats ? { requestStats } : {}),
    api: api.build,
  });
  return { app, api: api.current, closeApi: async () => void (await api.current()?.close()) };
}

/** Runs the console's startup checks (MD-E001…): errors stop the start, all listed; warnings are said. */
export async function checkConsoleAtStart(say: (message: string) => void): Promise<void> {
  const { consoleChecks } = await loadConsole();
  const problems = consoleChecks();
  if (problems.some((p) => p.level === 'error')) throw new Error(`Startup checks failed:\n${formatChecks(problems)}`);
  if (problems.length > 0) say(formatChecks(problems));
}
