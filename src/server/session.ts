import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type pg from 'pg';
import type { Config } from '../platform/config.js';

export const SESSION_COOKIE = 'modeldesk.sid';

/**
 * Sessions live in Postgres (table `session`), so any web process can serve any request. The cookie is
 * HttpOnly and SameSite=Strict (a cross-site link or form never carries it: the first line of CSRF
 * defence), Secure whenever the request arrived over HTTPS, and rolling: it expires after
 * SESSION_IDLE_MINUTES without a request. The absolute limit is enforced where the user is loaded.
 */
export function sessionOptions(pool: pg.Pool, secret: string, config: Config): session.SessionOptions {
  const PgStore = connectPgSimple(session);
  return {
    store: new PgStore({ pool, tableName: 'session', createTableIfMissing: false, pruneSessionInterval: 15 * 60 }),
    name: SESSION_COOKIE,
    secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: config.TRUST_PROXY,
    cookie: {
      httpOnly: true,
      sameSite: 'strict',
      secure: 'auto',
      path: '/',
      maxAge: config.SESSION_IDLE_MINUTES * 60_000,
    },
  };
}
