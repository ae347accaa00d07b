import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectSequelize } from '../../src/db/connection.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { freePort } from '../support/free-port.js';
import { TEST_POSTGRES_SETTINGS } from '../setup/runner-env.js';

/**
 * One Postgres server for the whole run and a database per test file, each cloned from a template
 * that is migrated (and holds the job queue's schema) once: `CREATE DATABASE … TEMPLATE` copies a
 * few megabytes instead of running every migration again, and no file can see another's rows, jobs
 * or notifications. The server is an embedded cluster in a temporary folder, or the one at
 * TEST_DATABASE_URL (a server you provide), where the template and every file's database are
 * dropped again at the end.
 */
export interface FileDatabases {
  /** A fresh database for one test file; its URL. */
  create(label: string): Promise<string>;
  drop(url: string): Promise<void>;
  /** Drops what is left, then stops the embedded cluster. */
  close(): Promise<void>;
}

export async function prepareFileDatabases(external: string | undefined): Promise<FileDatabases> {
  let cluster: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let serverUrl: string;
  if (external) {
    serverUrl = external;
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-test-'));
    cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), settings: TEST_POSTGRES_SETTINGS });
    serverUrl = cluster.url;
  }
  const urlOf = (name: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  // Two connections, each running one statement at a time: creates on one, drops on the other, so a
  // file about to start never waits behind another's DROP (which can take a while when Postgres is busy).
  const connect = async () => {
    const client = new pg.Client({ connectionString: urlOf('postgres'), application_name: 'modeldesk-test-runner' });
    await client.connect();
    return client;
  };
  const admin = await connect();
  const dropper = await connect();
  const prefix = `modeldesk_test_${process.pid}`;
  const template = `${prefix}_template`;
  const made = new Set<string>();
  let count = 0;
  const inTurn = (client: pg.Client) => {
    let queue: Promise<unknown> = Promise.resolve();
    return (sql: string) => {
      const next = queue.then(() => client.query(sql));
      queue = next.catch(() => undefined);
      return next;
    };
  };
  const query = inTurn(admin);
  const dropQuery = inTurn(dropper);

  await admin.query(`CREATE DATABASE ${template}`);
  made.add(template);
  await migrateTemplate(urlOf(template));
  // No connection may be open on a template while it is copied: refuse them outright.
  await admin.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);

  const dropDatabase = async (name: string) => {
    if (name === template) await dropQuery(`ALTER DATABASE ${template} WITH IS_TEMPLATE false`);
    // FORCE: a process a test forgot to stop must not keep its database (and the run) alive.
    await dropQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    made.delete(name);
  };

  return {
    async create(label) {
      count += 1;
      const name = `${prefix}_${count}_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 63);
      await query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      made.add(name);
      return urlOf(name);
    },
    async drop(url) {
      await dropDatabase(new URL(url).pathname.slice(1));
    },
    async close() {
      for (const name of [...made])
        await dropDatabase(name).catch((error: unknown) => console.error(`could not drop ${name}: ${String(error)}`));
      await admin.end();
      await dropper.end();
      await cluster?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What every test file's database starts from: all migrations and the queue's tables and queues. */
async function migrateTemplate(url: string): Promise<void> {
  const sequelize = connectSequelize({ url, applicationName: 'modeldesk-test-template' });
  try {
    await migrate(sequelize, url);
    await startQueue(url);
    await stopQueue();
  } finally {
    await sequelize.close();
  }
}
