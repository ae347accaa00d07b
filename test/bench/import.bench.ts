// `npm run bench` (part): CSV import at its stated limit, 1,000,000 rows. Writes a CSV of a million
// support messages (text, label, split, tags), stores it as an upload, then runs the dry run and the
// apply as jobs on an in-process worker: rows/s of each, and the worker's heap and RSS while they run
// (sampled every 100 ms), which must not grow with the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { DataRecord, Dataset } from '../../models/index.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { storeImportFile, MEGABYTE } from '../../src/records/import/import-file.js';
import { queueImport } from '../../src/records/import/queue-import.js';
import { saveUser } from '../../src/users/save-user.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { waitForJob } from '../support/jobs.js';
import { benchDatabase } from './bench-database.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const LABELS = ['billing', 'complaint', 'praise', 'question'];
const WORDS = [
  'refund',
  'invoice',
  'late',
  'thanks',
  'broken',
  'how',
  'account',
  'great',
  'password',
  'delivery',
  'charge',
  'help',
];

/** Peak heap and RSS (MiB) while `work` runs, against what they were before it. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ value: T; seconds: number; heapGrowthMiB: number; peakRssMiB: number }> {
  global.gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, 100);
  const started = performance.now();
  try {
    const value = await work();
    return {
      value,
      seconds: (performance.now() - started) / 1000,
      heapGrowthMiB: Number(((peakHeap - before.heapUsed) / MEGABYTE).toFixed(1)),
      peakRssMiB: Number((peakRss / MEGABYTE).toFixed(0)),
    };
  } finally {
    clearInterval(sampler);
  }
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-import-bench-'));
const db = await benchDatabase(10);
try {
  const file = path.join(temp, 'messages.csv');
  const out = fs.createWriteStream(file);
  out.write('message,category,split,tags\n');
  let seed = 11;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  for (let i = 0; i < ROWS; i += 1) {
    const words = Array.from({ length: 12 }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
    const line = `"Message ${i}: ${words}, please ""reply"" soon",${LABELS[i % LABELS.length]},${i % 5 === 0 ? 'test' : 'train'},${i % 7 === 0 ? 'vip;imported' : 'imported'}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const sizeBytes = fs.statSync(file).size;

  const manager = {
    type: 'user' as const,
    ...(
      await saveUser(
        { type: 'system' },
        { email: 'content@example.com', role: 'content_manager', password: 'violet trombone cabinet lantern 2026' },
      )
    ).user.get({ plain: true }),
  };
  const actor = { type: 'user' as const, id: manager.id, email: manager.email, role: manager.role };
  await insertDataset(
    { type: 'system' },
    {
      name: 'support-import',
      task: 'text-classification',
      labels: LABELS,
      featureSchema: [],
      description: null,
      source: null,
      license: null,
    },
    [],
  );
  const dataset = (await Dataset.findOne({ where: { name: 'support-import' } }))!;
  await startQueue(db.url);
  await startWorker();

  const stored = await measured(() =>
    storeImportFile(
      actor,
      { datasetId: dataset.id, fileName: 'messages.csv', path: file, sizeBytes },
      1_024 * MEGABYTE,
    ),
  );
  const mapping = { columns: { message: 'text', category: 'label', split: 'split', tags: 'tags' } };
  const run = async (mode: 'dry-run' | 'apply') => {
    const job = await queueImport(actor, { fileId: stored.value.fileId, mode, mapping });
    const done = await waitForJob(job.id, undefined, 30 * 60_000);
    if (done.status !== 'succeeded') throw new Error(`${mode} ${done.status}: ${done.error}`);
    return done.result as { rows: number; inserts: number; invalidRows: number };
  };
  const dryRun = await measured(() => run('dry-run'));
  const apply = await measured(() => run('apply'));
  const imported = await DataRecord.count({ where: { datasetId: dataset.id } });
  await stopWorker();
  await stopQueue();
  console.log(
    JSON.stringify(
      {
        benchmark: 'csv-import',
        when: new Date().toISOString(),
        machine: machine(),
        rows: ROWS,
        fileMiB: Number((sizeBytes / MEGABYTE).toFixed(1)),
        upload: {
          seconds: Number(stored.seconds.toFixed(1)),
          mibPerSecond: Number((sizeBytes / MEGABYTE / stored.seconds).toFixed(1)),
        },
        dryRun: {
          rows: dryRun.value.rows,
          inserts: dryRun.value.inserts,
          invalidRows: dryRun.value.invalidRows,
          seconds: Number(dryRun.seconds.toFixed(1)),
          rowsPerSecond: Math.round(ROWS / dryRun.seconds),
          heapGrowthMiB: dryRun.heapGrowthMiB,
          peakRssMiB: dryRun.peakRssMiB,
        },
        apply: {
          rows: apply.value.rows,
          inserts: apply.value.inserts,
          invalidRows: apply.value.invalidRows,
          seconds: Number(apply.seconds.toFixed(1)),
          rowsPerSecond: Math.round(ROWS / apply.seconds),
          heapGrowthMiB: apply.heapGrowthMiB,
          peakRssMiB: apply.peakRssMiB,
        },
        recordsAfter: imported,
        note: 'The worker runs in this process; heap growth is the peak over the heap before the job (not the file size).',
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
  fs.rmSync(temp, { recursive: true, force: true });
}
