import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Op } from 'sequelize';
import { AuditEvent, DataRecord, Dataset } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { Conflict, Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { storeImportFile, MEGABYTE, UNAPPLIED_RETENTION_DAYS } from '../../../src/records/import/import-file.js';
import { queueImport } from '../../../src/records/import/queue-import.js';
import { runImport, type ImportResult } from '../../../src/records/import/run-import.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { waitForJob } from '../../support/jobs.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

const FEATURES = [
  { name: 'length', type: 'number' as const },
  { name: 'island', type: 'category' as const, categories: ['biscoe', 'dream'] },
];

/** A fresh tabular dataset (labels a, b) with three records; returns its id and the records' ids. */
async function tabularDataset(prefix: string): Promise<{ datasetId: number; ids: number[] }> {
  const name = unique(prefix);
  await insertDataset(
    { type: 'system' },
    {
      name,
      task: 'tabular-classification',
      labels: ['a', 'b'],
      featureSchema: FEATURES,
      description: null,
      source: null,
      license: null,
    },
    [
      { text: null, features: { length: 1, island: 'biscoe' }, label: 'a', split: 'train', tags: [], source: 'seed' },
      { text: null, features: { length: 2, island: 'dream' }, label: 'a', split: 'train', tags: [], source: 'seed' },
      { text: null, features: { length: 3, island: 'dream' }, label: 'b', split: 'test', tags: [], source: 'seed' },
    ],
  );
  const dataset = (await Dataset.findOne({ where: { name } }))!;
  const ids = (await DataRecord.findAll({ where: { datasetId: dataset.id }, order: [['id', 'ASC']] })).map((r) => r.id);
  return { datasetId: dataset.id, ids };
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-import-test-'));
function tempFile(name: string, content: string | Uint8Array): { path: string; size: number } {
  const file = path.join(temp, name);
  fs.writeFileSync(file, content);
  return { path: file, size: fs.statSync(file).size };
}

const MAPPING = {
  columns: {
    id: 'id',
    length: 'feature:length',
    island: 'feature:island',
    label: 'label',
    split: 'split',
    tags: 'tags',
    note: 'ignore',
  },
} as const;

describe('CSV import into a dataset (real Postgres)', () => {
  let manager: Actor;
  let auditor: Actor;

  before(async () => {
    await useTestDatabase();
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    auditor = { type: 'user', ...(await createTestUser('auditor')) };
  });
  after(() => fs.rmSync(temp, { recursive: true, force: true }));

  async function upload(
    datasetId: number,
    name: string,
    content: string | Uint8Array,
    actor: Actor = manager,
    maxBytes = 10 * MEGABYTE,
  ) {
    const file = tempFile(name, content);
    return storeImportFile(actor, { datasetId, fileName: name, path: file.path, sizeBytes: file.size }, maxBytes);
  }

  it('inserts new rows and updates rows with an id, with the values right and one audit event with the counts', async () => {
    const { datasetId, ids } = await tabularDataset('import-good');
    const csv = [
      'id,length,island,label,split,tags,note',
      `${ids[0]},10.5,dream,b,holdout,x;y,ignored`,
      `${ids[1]},,,,,,`,
      ',4.25,biscoe,a,test,new,',
      ',5,dream,,,,',
    ].join('\n');
    const stored = await upload(datasetId, 'good.csv', csv);
    assert.deepEqual(stored.columns, ['id', 'length', 'island', 'label', 'split', 'tags', 'note']);
    assert.equal(stored.sample.length, 4);
    assert.deepEqual(stored.mapping, { ...MAPPING.columns, note: 'ignore' });
    assert.match(stored.sha256, /^[0-9a-f]{64}$/);

    const dryRun = await runImport(manager, { fileId: stored.fileId, mode: 'dry-run', mapping: MAPPING });
    assert.deepEqual(
      [
        dryRun.rows,
        dryRun.inserts,
        dryRun.updates,
        dryRun.unchanged,
        dryRun.invalidRows,
        dryRun.errors.length,
        dryRun.applied,
      ],
      [4, 2, 1, 1, 0, 0, false],
      'the row of empty cells changes nothing, so it is no update',
    );
    assert.equal(await DataRecord.count({ where: { datasetId } }), 3, 'a dry run writes nothing');

    const eventsBefore = await AuditEvent.count({ where: { action: 'records.import' } });
    const applied = await runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping: MAPPING });
    assert.deepEqual([applied.inserts, applied.updates, applied.unchanged, applied.applied], [2, 1, 1, true]);
    const rows = await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] });
    assert.equal(rows.length, 5);
    assert.deepEqual(
      [rows[0]!.features, rows[0]!.label, rows[0]!.split, rows[0]!.tags, rows[0]!.source],
      [{ length: 10.5, island: 'dream' }, 'b', 'holdout', ['x', 'y'], 'seed'],
    );
    assert.deepEqual(
      [rows[1]!.features, rows[1]!.label, rows[1]!.split],
      [{ length: 2, island: 'dream' }, 'a', 'train'],
      'empty cells leave values as they were',
    );
    assert.deepEqual(
      [rows[3]!.features, rows[3]!.label, rows[3]!.split, rows[3]!.tags],
      [{ length: 4.25, island: 'biscoe' }, 'a', 'test', ['new']],
    );
    assert.deepEqual(
      [rows[4]!.features, rows[4]!.label, rows[4]!.split, rows[4]!.tags],
      [{ length: 5, island: 'dream' }, null, 'train', []],
    );

    const events = await AuditEvent.findAll({ where: { action: 'records.import' }, order: [['seq', 'ASC']] });
    assert.equal(events.length, eventsBefore + 1, 'one audit event for the whole import');
    const event = events.at(-1)!;
    assert.equal(event.outcome, 'success');
    assert.equal(event.actorId, String((manager as { id: number }).id));
    await assert.rejects(
      runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping: MAPPING }),
      (e: unknown) => e instanceof Conflict && /"good.csv" was already imported .*upload it again/.test(e.message),
    );
    assert.equal(await DataRecord.count({ where: { datasetId } }), 5, 'a second apply of the same file adds nothing');
    assert.deepEqual(event.selection, {
      datasetId,
      dataset: (await Dataset.findByPk(datasetId))!.name,
      fileId: stored.fileId,
      fileName: 'good.csv',
      sha256: stored.sha256,
      rows: 4,
      inserted: 2,
      updated: 1,
      unchanged: 1,
      skippedInvalidRows: 0,
    });
  });

  it('lists bad rows by row, column and reason in the dry run; apply is refused and writes nothing; with skip only valid rows are written', async () => {
    const { datasetId, ids } = await tabularDataset('import-bad');
    const csv = [
      'id,length,island,label,split,tags,note',
      ',1,dream,a,train,,', // row 2: fine
      ',abc,dream,a,train,,', // row 3: not a number
      ',2,mars,zebra,later,,', // row 4: island, label, split
      '999999999,2,dream,a,,,', // row 5: no such record
      `${ids[0]},7,,,,,`, // row 6: fine update
      `${ids[0]},8,,,,,`, // row 7: the same id again
      '', // row 8: a blank line, not imported
      ',,,b,,,', // row 9: fine (features given, all empty)
    ].join('\r\n');
    const stored = await upload(datasetId, 'bad.csv', csv);
    const dryRun = await runImport(manager, { fileId: stored.fileId, mode: 'dry-run', mapping: MAPPING });
    assert.deepEqual(
      [dryRun.rows, dryRun.inserts, dryRun.updates, dryRun.invalidRows, dryRun.errorCount],
      [8, 2, 1, 4, 6],
    );
    const byRow = dryRun.errors.map((e) => `${e.row}/${e.column}`);
    assert.deepEqual(byRow, ['3/length', '4/split', '4/label', '4/island', '5/id', '7/id']);
    assert.match(dryRun.errors[0]!.reason, /must be a finite number, got "abc"/);
    assert.match(dryRun.errors[2]!.reason, /"zebra" is not one of the dataset's labels \(a, b\)/);
    assert.match(dryRun.errors[1]!.reason, /"later" is not a split: use train, test or holdout/);
    assert.match(dryRun.errors[4]!.reason, /there is no record 999999999 in dataset/);
    assert.match(dryRun.errors[5]!.reason, new RegExp(`record ${ids[0]} is already updated by row 6`));

    await assert.rejects(
      queueImport(manager, {
        fileId: stored.fileId,
        mode: 'apply',
        mapping: { columns: { ...MAPPING.columns, note: 'source' } },
      }),
      (e: unknown) => e instanceof Conflict && /Run the dry run with this mapping first/.test(e.message),
    );
    await assert.rejects(
      runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping: MAPPING }),
      (e: unknown) =>
        e instanceof InvalidInput &&
        /4 row\(s\) of "bad.csv" are invalid \(row 3, length: must be a finite number.*Nothing was imported/.test(
          e.message,
        ),
    );
    assert.equal(await DataRecord.count({ where: { datasetId } }), 3);
    assert.deepEqual((await DataRecord.findByPk(ids[0]))!.features, { length: 1, island: 'biscoe' });
    assert.ok(
      await AuditEvent.findOne({
        where: { action: 'records.import', outcome: 'failed', reason: { [Op.like]: 'import.invalid_rows%' } },
      }),
    );

    const skipped = await runImport(manager, {
      fileId: stored.fileId,
      mode: 'apply',
      skipInvalid: true,
      mapping: MAPPING,
    });
    assert.deepEqual([skipped.inserts, skipped.updates, skipped.invalidRows, skipped.applied], [2, 1, 4, true]);
    assert.equal(await DataRecord.count({ where: { datasetId } }), 5);
    assert.deepEqual((await DataRecord.findByPk(ids[0]))!.features, { length: 7, island: 'biscoe' });
  });

  it('writes nothing when stopped part-way (cancelled or killed), and the retry starts over and imports everything once', async () => {
    const { datasetId } = await tabularDataset('import-stop');
    const lines = [
      'length,island,label',
      ...Array.from({ length: 30_000 }, (_, i) => `${i},${i % 2 ? 'dream' : 'biscoe'},${i % 3 ? 'a' : 'b'}`),
    ];
    const stored = await upload(datasetId, 'stop.csv', lines.join('\n'));
    const mapping = { columns: { length: 'feature:length', island: 'feature:island', label: 'label' } };
    let calls = 0;
    const stopMidway = async (_phase: string, done: number) => {
      calls += 1;
      if (done > 0) throw new Error('worker killed');
    };
    await assert.rejects(
      runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping }, stopMidway),
      /worker killed/,
    );
    assert.ok(calls >= 2, 'stopped while reading the file');
    assert.equal(await DataRecord.count({ where: { datasetId } }), 3, 'nothing half-applied');
    const retried = await runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping });
    assert.equal(retried.inserts, 30_000);
    assert.equal(await DataRecord.count({ where: { datasetId } }), 30_003);
  });

  it('refuses binary, non-UTF-8, oversized and header-less files, and keeps only the base name', async () => {
    const { datasetId } = await tabularDataset('import-refuse');
    await assert.rejects(
      upload(datasetId, 'model.csv', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2])),
      (e: unknown) =>
        e instanceof InvalidInput &&
        e.code === 'import.not_text' &&
        /NUL bytes.*Save it as CSV \(UTF-8\)/.test(e.message),
    );
    await assert.rejects(
      upload(datasetId, 'latin1.csv', Buffer.from('label\ncaf\xe9\n', 'latin1')),
      (e: unknown) => e instanceof InvalidInput && /is not UTF-8/.test(e.message),
    );
    await assert.rejects(
      upload(datasetId, 'big.csv', `label\n${'a\n'.repeat(600_000)}`, manager, MEGABYTE),
      (e: unknown) =>
        e instanceof InvalidInput &&
        e.code === 'import.too_large' &&
        /limited to 1 MB \(MAX_IMPORT_MB\)/.test(e.message),
    );
    await assert.rejects(
      upload(datasetId, 'dupe.csv', 'label,label\na,b\n'),
      (e: unknown) => e instanceof InvalidInput && /"label" appear more than once/.test(e.message),
    );
    const stored = await upload(datasetId, 'ok.csv', 'label\na\n');
    const file = tempFile('traversal.csv', 'label\na\n');
    const named = await storeImportFile(
      manager,
      { datasetId, fileName: '../../etc/evil.csv', path: file.path, sizeBytes: file.size },
      MEGABYTE,
    );
    assert.equal(named.fileName, 'evil.csv');
    assert.ok(stored.fileId < named.fileId);
  });

  it('says which row and line a file stops being CSV at, in words with the fix, for every kind of quoting mistake', async () => {
    const { datasetId } = await tabularDataset('import-bad-quotes');
    const mapping = { columns: { label: 'label', note: 'source' } };
    const cases: Array<{ csv: string; expected: RegExp }> = [
      // A quote inside an unquoted cell (csv-parse: INVALID_OPENING_QUOTE, not CSV_-prefixed).
      {
        csv: 'label,note\na,fine\nb,fine\na,say "hi" there\nb,after\n',
        expected:
          /Row 4 \(line 4\), column "note": a quote opens inside an unquoted cell\. Quote the whole cell .* or remove the quote/,
      },
      // The row number counts records, the line number lines: a quoted cell above spans three lines.
      {
        csv: 'label,note\na,"one\ntwo\nthree"\nb,say "hi"\n',
        expected: /Row 3 \(line 5\), column "note": a quote opens inside an unquoted cell/,
      },
      {
        csv: 'label,note\na,fine\nb,"quoted"then more\n',
        expected: /Row 3 \(line 3\), column "note": a quoted cell goes on after its closing quote.*two quotes/,
      },
      {
        csv: 'label,note\na,fine\nb,"never closed\na,lost\n',
        expected:
          /Row 3: a quoted cell opens and is never closed, so the rest of the file .*reads as one cell\. Add the closing quote/,
      },
    ];
    for (const { csv, expected } of cases) {
      const stored = await upload(datasetId, 'quotes.csv', csv);
      for (const mode of ['dry-run', 'apply'] as const) {
        await assert.rejects(runImport(manager, { fileId: stored.fileId, mode, mapping }), (e: unknown) => {
          assert.ok(e instanceof InvalidInput, `${mode}: a domain error the user sees, not ${String(e)}`);
          assert.equal(e.code, 'import.bad_csv');
          assert.match(e.message, /^"quotes.csv" is not valid CSV\. /);
          assert.match(e.message, expected);
          assert.match(e.message, /Fix the file and upload it again/);
          return true;
        });
      }
    }
    assert.equal(await DataRecord.count({ where: { datasetId } }), 3, 'nothing written');
    await assert.rejects(
      upload(datasetId, 'header.csv', 'label,"note\na,b\n'),
      (e: unknown) =>
        e instanceof InvalidInput &&
        e.code === 'import.bad_header' &&
        /The first row of "header.csv" is not CSV: Row 1: a quoted cell opens and is never closed/.test(e.message),
    );
  });

  it(`deletes uploads left unapplied for ${UNAPPLIED_RETENTION_DAYS} days when the next one arrives`, async () => {
    const { datasetId } = await tabularDataset('import-retention');
    const old = await upload(datasetId, 'old.csv', 'label\na\n');
    const recent = await upload(datasetId, 'recent.csv', 'label\na\n');
    await DataRecord.sequelize!.query(
      `UPDATE import_files SET created_at = now() - interval '8 days' WHERE id = ${old.fileId}`,
    );
    await upload(datasetId, 'next.csv', 'label\nb\n');
    await assert.rejects(
      runImport(manager, { fileId: old.fileId, mode: 'dry-run', mapping: { columns: { label: 'label' } } }),
      /There is no uploaded import file .*upload the CSV again/,
    );
    assert.equal(
      (await runImport(manager, { fileId: recent.fileId, mode: 'dry-run', mapping: { columns: { label: 'label' } } }))
        .rows,
      1,
      'the recent upload is kept',
    );
  });

  it('refuses an auditor (audited as denied) and a mapping that names no field', async () => {
    const { datasetId } = await tabularDataset('import-roles');
    await assert.rejects(upload(datasetId, 'a.csv', 'label\na\n', auditor), (e: unknown) => e instanceof Forbidden);
    assert.ok(
      await AuditEvent.findOne({
        where: { action: 'records.import_upload', outcome: 'denied', actorId: String((auditor as { id: number }).id) },
      }),
    );
    const stored = await upload(datasetId, 'a.csv', 'label,colour\na,red\n');
    await assert.rejects(
      runImport(auditor, { fileId: stored.fileId, mode: 'apply', mapping: { columns: { label: 'label' } } }),
      (e: unknown) => e instanceof Forbidden,
    );
    await assert.rejects(
      runImport(manager, {
        fileId: stored.fileId,
        mode: 'dry-run',
        mapping: { columns: { label: 'ignore', colour: 'feature:colour' } },
      }),
      (e: unknown) =>
        e instanceof InvalidInput && /"colour" is not a feature of dataset .*map at least one column/.test(e.message),
    );
  });

  describe('as a job', () => {
    before(async () => {
      await startQueue(testDatabaseUrl());
      await startWorker();
    });
    after(() => stopWorker());

    it('streams a large file (66 MB) through dry run and apply with the heap well under the file size', async function () {
      // 30 s alone; the suite's other part runs beside it (test/run-tests.mjs): room, not a timing.
      this.timeout(600_000);
      const name = unique('import-large');
      await insertDataset(
        { type: 'system' },
        {
          name,
          task: 'text-classification',
          labels: ['ham', 'spam'],
          featureSchema: [],
          description: null,
          source: null,
          license: null,
        },
        [],
      );
      const dataset = (await Dataset.findOne({ where: { name } }))!;
      // Rows of about 1.4 kB: the file is as large as 200,000 short rows were, for a quarter of the
      // per-row work (parsing, staging, inserting, indexing) that is the cost of this test.
      const rowCount = 50_000;
      const filePath = path.join(temp, 'large.csv');
      const out = createWriteStream(filePath);
      out.write('text,label,split,tags\n');
      const padding = 'lorem ipsum dolor sit amet, '.repeat(48);
      for (let i = 0; i < rowCount; i += 1) {
        if (
          !out.write(
            `"message ${i}: ${padding}",${i % 3 === 0 ? 'spam' : 'ham'},${i % 10 === 0 ? 'test' : 'train'},bulk|n${i % 7}\n`,
          )
        )
          await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      const sizeBytes = fs.statSync(filePath).size;
      const stored = await storeImportFile(
        manager,
        { datasetId: dataset.id, fileName: 'large.csv', path: filePath, sizeBytes },
        500 * MEGABYTE,
      );
      const mapping = {
        columns: { text: 'text', label: 'label', split: 'split', tags: 'tags' },
        tagSeparator: '|',
      } as const;

      // What the import keeps alive, not the garbage it has not collected yet: heap used right after a
      // full collection, sampled while the jobs run (this process is the worker).
      v8.setFlagsFromString('--expose-gc');
      const collect = vm.runInNewContext('gc') as () => void;
      const retained = () => {
        collect();
        return process.memoryUsage().heapUsed;
      };
      const baseline = retained();
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, retained());
      }, 250);
      const rates: Record<string, number> = {};
      try {
        for (const mode of ['dry-run', 'apply'] as const) {
          const job = await queueImport(manager, { fileId: stored.fileId, mode, mapping }, dataset.id);
          const finished = await waitForJob(job.id, ['succeeded', 'failed', 'cancelled'], 300_000);
          assert.equal(finished.status, 'succeeded', finished.error ?? '');
          const result = finished.result as unknown as ImportResult;
          assert.deepEqual([result.rows, result.inserts, result.invalidRows], [rowCount, rowCount, 0]);
          assert.deepEqual(
            [finished.progressDone, finished.progressTotal],
            mode === 'dry-run' ? [sizeBytes, sizeBytes] : [rowCount, rowCount],
            'progress was recorded to the end',
          );
          rates[mode] = Math.round(
            rowCount / ((finished.finishedAt!.getTime() - finished.startedAt!.getTime()) / 1000),
          );
        }
      } finally {
        clearInterval(sampler);
      }
      assert.equal(await DataRecord.count({ where: { datasetId: dataset.id } }), rowCount);
      assert.equal(
        await DataRecord.count({
          where: { datasetId: dataset.id, split: 'test', label: 'spam', tags: { [Op.contains]: ['bulk', 'n0'] } },
        }),
        Math.ceil(rowCount / 210) + 0,
      );
      const growth = peak - baseline;
      // Measured, not timed: reported for the record (the assertion is about memory only).
      console.log(
        `      import of ${(sizeBytes / MEGABYTE).toFixed(1)} MB: retained heap growth peak ${(growth / MEGABYTE).toFixed(1)} MB; dry run ${rates['dry-run']} rows/s, apply ${rates.apply} rows/s (from the jobs' start and finish)`,
      );
      assert.ok(
        growth < sizeBytes / 5,
        `heap grew by ${(growth / MEGABYTE).toFixed(1)} MB for a ${(sizeBytes / MEGABYTE).toFixed(1)} MB file`,
      );
    });
  });
  describe('from the console', () => {
    let server: RunningConsole;
    let http: HttpSession;
    before(async () => {
      await startQueue(testDatabaseUrl());
      await startWorker();
      server = await startConsoleServer({ MAX_IMPORT_MB: '1' });
      const user = await createTestUser('content_manager');
      http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
    });
    after(async () => {
      await stopWorker();
      await server?.stop();
    });

    const send = (session: HttpSession, datasetId: number, body: FormData | Record<string, string>) =>
      session.request(`/admin/api/resources/datasets/records/${datasetId}/importCsv`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'x-xsrf-token': decodeURIComponent(session.cookies.get('XSRF-TOKEN') ?? ''),
          ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }),
        },
        body: body instanceof FormData ? body : JSON.stringify(body),
      });
    const csvForm = (content: string | Uint8Array, name = 'records.csv') => {
      const form = new FormData();
      form.append(
        'file',
        new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: 'text/csv' }),
        name,
      );
      return form;
    };

    it('lets a content manager upload, dry run and apply; an auditor gets 403 and nothing is written', async () => {
      const { datasetId, ids } = await tabularDataset('import-console');
      const uploaded = (await (
        await send(http, datasetId, csvForm(`id,length,island,label\n${ids[0]},9,dream,b\n,1,mars,a\n,2,biscoe,a\n`))
      ).json()) as { upload: { fileId: number; mapping: Record<string, string> }; notice?: { message: string } };
      assert.ok(uploaded.upload, JSON.stringify(uploaded));
      assert.deepEqual(uploaded.upload.mapping, {
        id: 'id',
        length: 'feature:length',
        island: 'feature:island',
        label: 'label',
      });
      const mapping = JSON.stringify({ columns: uploaded.upload.mapping, tagSeparator: ';' });
      const step = async (mode: string, skipInvalid = false) => {
        const answer = (await (
          await send(http, datasetId, {
            mode,
            fileId: String(uploaded.upload.fileId),
            mapping,
            skipInvalid: String(skipInvalid),
          })
        ).json()) as { job?: { id: number }; notice?: { type: string; message: string } };
        return answer;
      };
      const dry = await step('dry-run');
      assert.ok(dry.job, JSON.stringify(dry));
      const dryJob = await waitForJob(dry.job.id);
      const dryResult = dryJob.result as unknown as ImportResult;
      assert.deepEqual([dryResult.inserts, dryResult.updates, dryResult.invalidRows], [1, 1, 1]);
      assert.deepEqual(
        dryResult.errors.map((e) => [e.row, e.column]),
        [[3, 'island']],
      );

      const refused = await step('apply');
      assert.equal(refused.notice?.type, 'error');
      assert.match(refused.notice.message, /The dry run found 1 invalid row\(s\).*tick "skip invalid rows"/);

      const auditorUser = await createTestUser('auditor');
      const other = new HttpSession(server.baseUrl);
      await other.login(auditorUser.email, TEST_PASSWORD);
      assert.equal(
        (
          await send(other, datasetId, {
            mode: 'apply',
            fileId: String(uploaded.upload.fileId),
            mapping,
            skipInvalid: 'true',
          })
        ).status,
        403,
      );
      assert.equal((await send(other, datasetId, csvForm('label\na\n'))).status, 403);
      assert.equal(await DataRecord.count({ where: { datasetId } }), 3);

      const applied = await step('apply', true);
      const job = await waitForJob(applied.job!.id);
      assert.equal(job.status, 'succeeded', job.error ?? '');
      assert.equal(await DataRecord.count({ where: { datasetId } }), 4);
      assert.equal((await DataRecord.findByPk(ids[0]))!.label, 'b');
    });

    it('fails a dry run of a file with a stray quote with the row and the fix on the job, never "Internal error"', async () => {
      const { datasetId } = await tabularDataset('import-console-quote');
      // The stray quote is in row 9, after the rows the upload samples: the upload is accepted.
      const rows = Array.from({ length: 7 }, (_, i) => `${i},dream,a`);
      const csv = ['length,island,label', ...rows, '8,say "dream",b', '9,dream,a', ''].join('\n');
      const uploaded = (await (await send(http, datasetId, csvForm(csv))).json()) as {
        upload: { fileId: number; mapping: Record<string, string> };
      };
      assert.ok(uploaded.upload, JSON.stringify(uploaded));
      const answer = (await (
        await send(http, datasetId, {
          mode: 'dry-run',
          fileId: String(uploaded.upload.fileId),
          mapping: JSON.stringify({ columns: uploaded.upload.mapping }),
        })
      ).json()) as { job: { id: number } };
      const job = await waitForJob(answer.job.id);
      assert.equal(job.status, 'failed');
      assert.doesNotMatch(job.error ?? '', /Internal error|worker log/);
      assert.match(
        job.error ?? '',
        /"records.csv" is not valid CSV\. Row 9 \(line 9\), column "island": a quote opens inside an unquoted cell\. Quote the whole cell/,
      );
      // What the job page and the import form read: the jobs resource's show action, as the person who ran it.
      const shown = (await (await http.api(`/resources/jobs/records/${job.id}/show`)).json()) as {
        record: { params: { error: string; status: string } };
      };
      assert.equal(shown.record.params.status, 'failed');
      assert.equal(shown.record.params.error, job.error);
    });

    it('answers 413 with the limit to a file over MAX_IMPORT_MB, and refuses a binary file with what to do', async () => {
      const { datasetId } = await tabularDataset('import-console-limits');
      const big = await send(http, datasetId, csvForm(`label\n${'a\n'.repeat(1_500_000)}`));
      assert.equal(big.status, 413);
      assert.match(
        ((await big.json()) as { message: string }).message,
        /upload limit of 1 MB \(MAX_IMPORT_MB\): split the CSV/,
      );
      const binary = (await (
        await send(http, datasetId, csvForm(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]), 'image.csv'))
      ).json()) as { notice: { type: string; message: string } };
      assert.equal(binary.notice.type, 'error');
      assert.match(binary.notice.message, /"image.csv" is not a CSV text file/);
    });
  });

  describe('a quoted cell longer than the first 1 MiB chunk (console, dry run and apply)', () => {
    let server: RunningConsole;
    let http: HttpSession;
    before(async () => {
      await startQueue(testDatabaseUrl());
      await startWorker();
      server = await startConsoleServer({ MAX_IMPORT_MB: '8' });
      const user = await createTestUser('content_manager');
      http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
    });
    after(async () => {
      await stopWorker();
      await server?.stop();
    });

    it('accepts a valid CSV whose 2 MiB quoted text (commas, newlines, quotes) crosses the chunk, and imports it whole', async () => {
      const name = unique('import-long-cell');
      await insertDataset(
        { type: 'system' },
        {
          name,
          task: 'text-classification',
          labels: ['ham', 'spam'],
          featureSchema: [],
          description: null,
          source: null,
          license: null,
        },
        [],
      );
      const dataset = (await Dataset.findOne({ where: { name } }))!;
      // 3-byte characters keep 2 MiB under the 1,000,000 characters a record's text may have.
      const line = '€€€€€€€€€€€€, "€€"\n';
      const long = line.repeat(Math.ceil((2 * MEGABYTE) / Buffer.byteLength(line)));
      assert.ok(Buffer.byteLength(long) >= 2 * MEGABYTE && long.length < 1_000_000);
      const csv = `text,label\nshort one,ham\n"${long.replace(/"/g, '""')}",spam\nlast one,ham\n`;
      const form = new FormData();
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'long.csv');
      const headers = {
        accept: 'application/json',
        'x-xsrf-token': decodeURIComponent(http.cookies.get('XSRF-TOKEN') ?? ''),
      };
      const path = `/admin/api/resources/datasets/records/${dataset.id}/importCsv`;
      const uploaded = (await (await http.request(path, { method: 'POST', headers, body: form })).json()) as {
        upload?: { fileId: number; columns: string[]; sample: string[][]; mapping: Record<string, string> };
        notice?: { message: string };
      };
      assert.ok(uploaded.upload, `the upload is accepted: ${JSON.stringify(uploaded.notice)}`);
      assert.deepEqual(uploaded.upload.columns, ['text', 'label']);
      assert.equal(uploaded.upload.sample.length, 3);
      assert.ok(
        uploaded.upload.sample[1]![0]!.startsWith(line) && uploaded.upload.sample[1]![0]!.length <= 201,
        'the sample shows the long cell shortened',
      );
      const mapping = JSON.stringify({ columns: uploaded.upload.mapping });
      for (const mode of ['dry-run', 'apply']) {
        const answer = (await (
          await http.request(path, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ mode, fileId: String(uploaded.upload.fileId), mapping }),
          })
        ).json()) as { job?: { id: number }; notice?: { message: string } };
        assert.ok(answer.job, `${mode}: ${JSON.stringify(answer.notice)}`);
        const job = await waitForJob(answer.job.id);
        assert.equal(job.status, 'succeeded', job.error ?? '');
        const result = job.result as unknown as ImportResult;
        assert.deepEqual([result.rows, result.inserts, result.invalidRows], [3, 3, 0], JSON.stringify(result.errors));
      }
      const records = await DataRecord.findAll({ where: { datasetId: dataset.id }, order: [['id', 'ASC']] });
      assert.deepEqual(
        records.map((r) => [r.text === long ? 'long' : r.text, r.label]),
        [
          ['short one', 'ham'],
          ['long', 'spam'],
          ['last one', 'ham'],
        ],
      );
    });
  });
});
