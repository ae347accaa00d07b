// `npm run bench` (part): undo at the size the issue states, a 1,000,000-record bulk edit. Generates a
// million text records, bulk-edits all of them (label and tags, one change-set with every before value),
// then reverts that change-set as a `revert` job on an in-process worker: rows/s of the revert beside
// the bulk edit's own (the same records, the same fields, the other way), the worker's peak RSS, and a
// check that every record is back (an md5 over every record's tracked fields, before and after).
import { QueryTypes } from 'sequelize';
import { Dataset, sequelizeOf } from '../../models/index.js';
import { systemActor } from '../../src/access/actor.js';
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { applyBulkEdit, parseBulkEdit } from '../../src/records/bulk-edit.js';
import { startRevert } from '../../src/records/history/start-revert.js';
import { saveUser } from '../../src/users/save-user.js';
import { waitForJob } from '../support/jobs.js';
import { benchDatabase } from './bench-database.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_REVERT_ROWS ?? 1_000_000);
const MEBIBYTE = 1024 * 1024;

/** Seconds `work` took, and the process's peak RSS (MiB) meanwhile. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMiB: number }> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = performance.now();
  try {
    const value = await work();
    return { value, seconds: (performance.now() - started) / 1000, peakRssMiB: Math.round(peakRss / MEBIBYTE) };
  } finally {
    clearInterval(sampler);
  }
}

/** One md5 over every record of the dataset, every tracked field: equal digests, equal records. */
async function datasetDigest(datasetId: number): Promise<string> {
  const [row] = await sequelizeOf().query<{ digest: string }>(
    `SELECT md5(string_agg(md5(row(dataset_id, text, features, label, split, tags, source, deleted_at)::text), '' ORDER BY id)) AS digest
       FROM records WHERE dataset_id = :datasetId`,
    { replacements: { datasetId }, type: QueryTypes.SELECT },
  );
  return row!.digest;
}

const db = await benchDatabase(10);
try {
  const { user } = await saveUser(systemActor, {
    email: 'content@example.com',
    role: 'content_manager',
    password: 'violet trombone cabinet lantern 2026',
  });
  const manager = { type: 'user' as const, id: user.id, email: user.email, role: user.role };
  const generated = await measured(() =>
    generateDataset(systemActor, { name: 'revert-bench', rows: ROWS, task: 'text-classification' }),
  );
  const datasetId = generated.value.datasetId;
  const labels = (await Dataset.findByPk(datasetId))!.labels;
  const original = await datasetDigest(datasetId);

  // Every record changes: the label to the last label (a third of them only get the tag) and a tag added.
  const { selection, changes } = parseBulkEdit(manager, {
    selection: { filter: { datasetId: String(datasetId) } },
    changes: { label: labels.at(-1), addTags: 'mislabelled' },
  });
  const edit = await measured(() => applyBulkEdit(manager, selection, changes));
  const [source] = await sequelizeOf().query<{ id: string }>(
    `SELECT change_set ->> 'id' AS id FROM audit_events WHERE action = 'records.bulk_update' ORDER BY seq DESC LIMIT 1`,
    { type: QueryTypes.SELECT },
  );
  const changeSetId = Number(source!.id);

  await startQueue(db.url);
  await startWorker();
  const revert = await measured(async () => {
    const started = await startRevert(manager, { changeSetId, conflicts: 'skip' });
    if (!started.job) throw new Error('a million records should revert as a job');
    const done = await waitForJob(started.job.id, undefined, 60 * 60_000);
    if (done.status !== 'succeeded') throw new Error(`revert ${done.status}: ${done.error}`);
    return done.result as { reverted: number; skipped: number };
  });
  const restored = (await datasetDigest(datasetId)) === original;
  await stopWorker();
  await stopQueue();
  console.log(
    JSON.stringify(
      {
        benchmark: 'revert',
        when: new Date().toISOString(),
        machine: machine(),
        rows: ROWS,
        generate: { seconds: Number(generated.seconds.toFixed(1)) },
        bulkEdit: {
          changed: edit.value.changed,
          seconds: Number(edit.seconds.toFixed(1)),
          rowsPerSecond: Math.round(edit.value.changed / edit.seconds),
        },
        revert: {
          reverted: revert.value.reverted,
          skipped: revert.value.skipped,
          seconds: Number(revert.seconds.toFixed(1)),
          rowsPerSecond: Math.round(revert.value.reverted / revert.seconds),
          peakRssMiB: revert.peakRssMiB,
        },
        everyRecordRestored: restored,
        note: 'The revert runs as a job on a worker in this process (queued to finished); the bulk edit is the same records and fields the other way, with its change-set.',
      },
      null,
      2,
    ),
  );
  if (!restored) process.exitCode = 1;
} finally {
  await db.close();
}
