import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Dataset, Job, sequelizeOf } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { verifyAuditChain } from '../../../src/audit/verify-chain.js';
import { generateDataset } from '../../../src/datasets/generate-dataset.js';
import { Conflict, Forbidden, NotFound } from '../../../src/errors/domain-error.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { applyBulkEdit, parseBulkEdit } from '../../../src/records/bulk-edit.js';
import { previewRevert } from '../../../src/records/history/preview-revert.js';
import { previewRestoreVersion, restoreRecordVersion } from '../../../src/records/history/restore-record-version.js';
import { revertChangeSet } from '../../../src/records/history/revert-change-set.js';
import { startRevert } from '../../../src/records/history/start-revert.js';
import { MEGABYTE, storeImportFile } from '../../../src/records/import/import-file.js';
import { runImport } from '../../../src/records/import/run-import.js';
import { deleteRecord, updateRecord } from '../../../src/records/save-record.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { differences, latestChangeSet, trackedRows } from '../../support/change-sets.js';
import { createTestUser } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { waitForJob } from '../../support/jobs.js';
import { startWorkerProcess, WORKER_QUEUE_TIMING } from '../../support/worker-process.js';

/**
 * The bulk edit reverted in place: 20,000 records in chunks of 2,000 (ten statements, progress after
 * each). The scale proof, a million records reverted as a job with every record checked back, is
 * `npm run bench` (test/bench/revert.bench.ts, docs/benchmarks.md#revert).
 */
const BIG = 20_000;
const BIG_CHUNK_ROWS = 2_000;
const IMPORTED = 10_000;
/**
 * The dataset the worker is killed on: ten revert chunks (REVERT_CHUNK_ROWS below), killed after the
 * first is written, with nine more to go (the test fails, not passes, if the revert finishes first).
 */
const KILLED = 10_000;
const KILLED_WORKER_ENV = { REVERT_CHUNK_ROWS: '1000' };

async function bulkEdit(actor: Actor, selection: unknown, changes: unknown): Promise<number> {
  const parsed = parseBulkEdit(actor, { selection, changes });
  await applyBulkEdit(actor, parsed.selection, parsed.changes);
  return (await latestChangeSet('records.bulk_update')).changeSetId;
}

/**
 * A generated dataset. Tabular where a test changes only label, tags or split: its records have no
 * text, so no write puts trigram-index entries for thousands of texts (the bulk of Postgres's work).
 */
async function generated(
  rows: number,
  task: 'text-classification' | 'tabular-classification' = 'text-classification',
): Promise<{ datasetId: number; labels: string[] }> {
  const { datasetId } = await generateDataset(systemActor, { name: unique('revert'), rows, task });
  return { datasetId, labels: (await Dataset.findByPk(datasetId))!.labels };
}

const idsOf = async (datasetId: number, limit: number) =>
  (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']], limit, attributes: ['id'] })).map(
    (r) => r.id,
  );

describe('revert a change-set, restore a record to a past version (real Postgres)', () => {
  let admin: Actor;
  let manager: Actor;
  let scientist: Actor;
  let auditor: Actor;
  let big: { datasetId: number; labels: string[] };
  /** For the small cases: reading it back whole is quick. */
  let small: { datasetId: number; labels: string[] };
  const children: ChildProcess[] = [];
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-revert-test-'));

  before(async function () {
    this.timeout(240_000);
    await useTestDatabase();
    admin = { type: 'user', ...(await createTestUser('admin')) };
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    auditor = { type: 'user', ...(await createTestUser('auditor')) };
    big = await generated(BIG, 'tabular-classification');
    small = await generated(200);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await stopWorker();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('reverts a 20,000-record bulk edit in ten chunks: every record back exactly, field by field, as a change-set of its own that names its source', async function () {
    this.timeout(600_000);
    const snapshot = await trackedRows(big.datasetId);
    const source = await bulkEdit(
      manager,
      { filter: { datasetId: String(big.datasetId) } },
      { label: big.labels[0], addTags: 'mislabelled' },
    );
    const [tagged] = await sequelizeOf().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM records WHERE dataset_id = :id AND 'mislabelled' = ANY (tags)`,
      { replacements: { id: big.datasetId }, type: QueryTypes.SELECT },
    );
    assert.equal(tagged!.n, BIG, 'the edit changed every record');

    const preview = await previewRevert(manager, source);
    assert.equal(preview.records, BIG);
    assert.deepEqual(
      [preview.wouldRevert, preview.alreadyReverted, preview.conflicts.count, preview.missing, preview.refused],
      [BIG, 0, 0, 0, null],
    );
    assert.deepEqual([...preview.fields].sort(), ['label', 'tags']);

    const seen: Array<[number, number]> = [];
    const result = await revertChangeSet(
      manager,
      { changeSetId: source, conflicts: 'skip' },
      async (done, total) => {
        seen.push([done, total]);
      },
      { chunkRows: BIG_CHUNK_ROWS },
    );
    assert.deepEqual([result.reverted, result.skipped, result.alreadyReverted], [BIG, 0, 0]);
    assert.equal(seen.length, 1 + BIG / BIG_CHUNK_ROWS, 'progress at the start and after every chunk');
    assert.deepEqual(seen.at(-1), [BIG, BIG]);
    assert.deepEqual(differences(snapshot, await trackedRows(big.datasetId)), [], 'every record as it was');

    const [revert] = await sequelizeOf().query<{ reverts: string; action: string; records: number; seq: string }>(
      `SELECT reverts_change_set_id AS reverts, action, record_count AS records, audit_seq AS seq FROM change_sets WHERE id = :id`,
      { replacements: { id: result.changeSetId }, type: QueryTypes.SELECT },
    );
    assert.deepEqual([Number(revert!.reverts), revert!.action, revert!.records], [source, 'records.revert', BIG]);
    const event = (await AuditEvent.findByPk(Number(revert!.seq)))!;
    assert.equal(event.action, 'records.revert');
    assert.equal(event.actorId, String((manager as { id: number }).id));
    assert.deepEqual(event.selection, {
      source: { changeSetId: source, auditSeq: preview.auditSeq },
      conflicts: 'skip',
      reverted: BIG,
      skipped: 0,
      alreadyReverted: 0,
    });
    assert.equal(event.recordIds.length, 100, 'a preview of the ids; the change-set lists them all');
  });

  it('reverts a 10,000-record import as a job: updated records get every earlier value back, created ones are deleted', async function () {
    this.timeout(300_000);
    const { datasetId, labels } = await generated(IMPORTED);
    const ids = await idsOf(datasetId, IMPORTED);
    const snapshot = await trackedRows(datasetId);
    const file = path.join(temp, 'overwrite.csv');
    const out = fs.createWriteStream(file);
    out.write('id,text,label,tags\n');
    for (const [i, id] of ids.entries()) out.write(`${id},"overwritten ${i}",${labels[i % labels.length]},imported\n`);
    for (let i = 0; i < 25; i += 1) out.write(`,"a new message ${i}",${labels[0]},new\n`);
    out.end();
    await once(out, 'finish');
    const stored = await storeImportFile(
      manager,
      { datasetId, fileName: 'overwrite.csv', path: file, sizeBytes: fs.statSync(file).size },
      50 * MEGABYTE,
    );
    const mapping = { columns: { id: 'id', text: 'text', label: 'label', tags: 'tags' } } as const;
    const applied = await runImport(manager, { fileId: stored.fileId, mode: 'apply', mapping });
    assert.deepEqual([applied.updates, applied.inserts], [IMPORTED, 25]);
    const source = (await latestChangeSet('records.import')).changeSetId;
    const created = [...(await trackedRows(datasetId)).keys()].filter((id) => !snapshot.has(id));
    assert.equal(created.length, 25);

    await startQueue(testDatabaseUrl());
    await startWorker();
    const started = await startRevert(manager, { changeSetId: source, conflicts: 'skip' });
    assert.ok(started.job, 'more than 5,000 records: a job');
    const job = await waitForJob(started.job.id, undefined, 240_000);
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(job.kind, 'revert');
    assert.deepEqual(
      [job.result?.reverted, job.result?.skipped, job.progressDone, job.progressTotal],
      [IMPORTED + 25, 0, IMPORTED + 25, IMPORTED + 25],
    );
    const after = await trackedRows(datasetId);
    assert.deepEqual(differences(snapshot, after), [], 'every updated record as it was');
    for (const id of created) assert.ok(after.get(id)!.deleted_at, `created record ${id} deleted`);
  });

  it('skips a record edited in between, or overwrites it, as chosen; the preview says who changed it and when', async () => {
    const ids = await idsOf(small.datasetId, 10);
    const before = await trackedRows(small.datasetId);
    for (const conflicts of ['skip', 'overwrite'] as const) {
      const source = await bulkEdit(manager, { ids }, { label: small.labels[1], split: 'holdout' });
      const adminUser = admin as { email: string };
      await updateRecord(admin, ids[3]!, { label: small.labels[2] });
      const preview = await previewRevert(manager, source);
      assert.deepEqual([preview.records, preview.wouldRevert, preview.conflicts.count], [10, 9, 1]);
      assert.deepEqual(
        preview.conflicts.first.map((c) => [c.recordId, c.fields, c.by]),
        [[ids[3], ['label'], adminUser.email]],
      );
      assert.ok(Date.now() - Date.parse(preview.conflicts.first[0]!.at) < 60_000, 'when');

      const result = await revertChangeSet(manager, { changeSetId: source, conflicts });
      const now = await trackedRows(small.datasetId);
      const edited = now.get(String(ids[3]))!;
      if (conflicts === 'skip') {
        assert.deepEqual([result.reverted, result.skipped], [9, 1]);
        assert.equal(edited.label, small.labels[2], "the admin's edit stays");
        assert.equal(edited.split, 'holdout', 'the whole record is left as it is');
        assert.deepEqual(differences(before, now, ids.filter((_, i) => i !== 3).map(String)), []);
        const original = before.get(String(ids[3]))!;
        await updateRecord(admin, ids[3]!, { label: original.label, split: original.split as 'train' | 'test' });
      } else {
        assert.deepEqual([result.reverted, result.skipped], [10, 0]);
        assert.deepEqual(differences(before, now, ids.map(String)), [], 'all ten back, the edited one too');
      }
    }
  });

  it('reverts a revert: the edit is back; reverting a change-set twice is refused with what happened', async () => {
    const ids = await idsOf(small.datasetId, 5);
    const original = await trackedRows(small.datasetId);
    const source = await bulkEdit(manager, { ids }, { addTags: 'reviewed', split: 'test' });
    const edited = await trackedRows(small.datasetId);
    const revert = await revertChangeSet(manager, { changeSetId: source, conflicts: 'skip' });
    assert.deepEqual(differences(original, await trackedRows(small.datasetId), ids.map(String)), []);

    await assert.rejects(
      revertChangeSet(manager, { changeSetId: source, conflicts: 'overwrite' }),
      (error: unknown) => error instanceof Conflict && error.code === 'history.nothing_to_revert',
    );
    assert.equal((await previewRevert(manager, source)).revertedBy?.changeSetId, revert.changeSetId);

    const again = await revertChangeSet(manager, { changeSetId: revert.changeSetId, conflicts: 'skip' });
    assert.equal(again.reverted, 5);
    assert.deepEqual(differences(edited, await trackedRows(small.datasetId), ids.map(String)), [], 'the edit is back');
  });

  it('lets a data scientist revert a label-only change, not a split change; refuses an auditor; each refusal audited with what to do', async () => {
    const ids = await idsOf(small.datasetId, 3);
    const labels = await bulkEdit(manager, { ids }, { label: small.labels.at(-1) });
    const { records } = await previewRevert(scientist, labels);
    assert.ok(records > 0);
    assert.equal((await revertChangeSet(scientist, { changeSetId: labels, conflicts: 'skip' })).reverted, records);

    const splits = await bulkEdit(manager, { ids }, { split: 'holdout' });
    const preview = await previewRevert(scientist, splits);
    assert.match(preview.refused ?? '', /may change only: label \(not split\)/);
    const refusals: Array<[Actor, string, RegExp]> = [
      [scientist, 'history.revert_fields_forbidden', /only: label \(not split\): ask a content manager or an admin/],
      [auditor, 'history.revert_forbidden', /not revert them: ask a content manager or an admin/],
    ];
    for (const [actor, code, sentence] of refusals) {
      const seq = (await AuditEvent.max<number, AuditEvent>('seq')) ?? 0;
      await assert.rejects(
        revertChangeSet(actor, { changeSetId: splits, conflicts: 'overwrite' }),
        (error: unknown) => error instanceof Forbidden && error.code === code && sentence.test(error.message),
      );
      const denied = await AuditEvent.findOne({
        where: { action: 'records.revert', outcome: 'denied' },
        order: [['seq', 'DESC']],
      });
      assert.ok(denied && Number(denied.seq) > seq, 'audited');
      assert.deepEqual((denied.selection as { source: unknown }).source, {
        changeSetId: splits,
        auditSeq: (await latestChangeSet('records.bulk_update')).seq,
      });
      assert.match(denied.reason ?? '', new RegExp(`^${code}: `));
    }
    const rows = await DataRecord.findAll({ where: { id: ids } });
    assert.ok(
      rows.every((r) => r.split === 'holdout'),
      'nothing reverted',
    );

    // Undoing a delete brings records back: only admins restore deleted records, through a revert too.
    const [victim] = await idsOf(small.datasetId, 1);
    await deleteRecord(manager, victim!);
    const deletion = (await latestChangeSet('records.delete')).changeSetId;
    await assert.rejects(
      revertChangeSet(manager, { changeSetId: deletion, conflicts: 'skip' }),
      (error: unknown) =>
        error instanceof Forbidden &&
        error.code === 'history.revert_deleted_forbidden' &&
        /only admins restore deleted records: ask an admin/.test(error.message),
    );
    assert.equal((await revertChangeSet(admin, { changeSetId: deletion, conflicts: 'skip' })).reverted, 1);
    assert.ok(await DataRecord.findByPk(victim), 'back');

    await assert.rejects(
      revertChangeSet(manager, { changeSetId: 999_999_999, conflicts: 'skip' }),
      (error: unknown) => error instanceof NotFound && error.code === 'change_set.not_found',
    );
  });

  it('restores a record to a past version: a preview of the difference, only the fields that differ written, audited as a change-set', async () => {
    const [id] = await idsOf(small.datasetId, 1);
    // Two labels the record does not have, so that each edit below changes it.
    const current = (await DataRecord.findByPk(id))!;
    const [one, two] = small.labels.filter((l) => l !== current.label) as [string, string];
    const split = (['train', 'test', 'holdout'] as const).find((s) => s !== current.split)!;
    await updateRecord(manager, id!, { label: one });
    const first = (await latestChangeSet('records.update')).changeSetId;
    const afterFirst = (await trackedRows(small.datasetId)).get(String(id))!;
    const tagsAfterFirst = (await DataRecord.findByPk(id))!.tags;
    await updateRecord(manager, id!, { tags: ['later'], split });
    await updateRecord(manager, id!, { label: two });

    const preview = await previewRestoreVersion(manager, id!, first);
    assert.deepEqual([...preview.fields].sort(), ['label', 'split', 'tags']);
    assert.equal(preview.current.label, two);
    assert.equal(preview.target.label, one);
    assert.deepEqual(preview.target.tags, tagsAfterFirst);
    assert.equal(preview.refused, null);
    assert.match((await previewRestoreVersion(scientist, id!, first)).refused ?? '', /not split, tags/);
    await assert.rejects(
      restoreRecordVersion(scientist, id!, first),
      (error: unknown) => error instanceof Forbidden && error.code === 'history.restoreVersion_fields_forbidden',
    );

    const restored = await restoreRecordVersion(manager, id!, first);
    assert.deepEqual([...restored.fields].sort(), ['label', 'split', 'tags']);
    assert.deepEqual(
      differences(new Map([[String(id), afterFirst]]), await trackedRows(small.datasetId), [String(id)]),
      [],
    );
    const event = (await AuditEvent.findOne({
      where: { action: 'records.restore_version', outcome: 'success' },
      order: [['seq', 'DESC']],
    }))!;
    assert.deepEqual(event.recordIds, [String(id)]);
    assert.equal((event.selection as { toChangeSetId: number }).toChangeSetId, first);
    assert.equal((event.changeSet as { id: number } | null)?.id, restored.changeSetId);
    await assert.rejects(
      restoreRecordVersion(manager, id!, first),
      (error: unknown) => error instanceof Conflict && error.code === 'history.version_current',
    );
    // The restore is a change-set like any other: reverting it undoes it.
    await revertChangeSet(manager, { changeSetId: restored.changeSetId, conflicts: 'skip' });
    assert.equal((await DataRecord.findByPk(id))!.label, two);
  });

  it('leaves nothing half-done when the worker is killed mid-revert; the retried job completes', async function () {
    this.timeout(600_000);
    await stopWorker(); // only the worker processes below may take this job
    const { datasetId } = await generated(KILLED, 'tabular-classification');
    const snapshot = await trackedRows(datasetId);
    const source = await bulkEdit(manager, { filter: { datasetId: String(datasetId) } }, { split: 'holdout' });
    const edited = await trackedRows(datasetId);
    const revertsBefore = await countReverts(source);

    await startQueue(testDatabaseUrl(), WORKER_QUEUE_TIMING);
    const first = await startWorkerProcess(KILLED_WORKER_ENV);
    children.push(first);
    const started = await startRevert(manager, { changeSetId: source, conflicts: 'skip' });
    assert.ok(started.job);
    const job = started.job;
    const deadline = Date.now() + 120_000;
    // Killed once some chunks are written (in the open transaction), none committed.
    while (!/reverting records: [1-9]/.test((await job.reload()).phase ?? '')) {
      assert.ok(Date.now() < deadline, `the revert never got going (status ${job.status}, phase ${job.phase})`);
      assert.notEqual(job.status, 'succeeded', 'finished before it could be killed: give it more records');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    await once(first, 'exit');
    assert.deepEqual(differences(edited, await trackedRows(datasetId)), [], 'nothing half-done');
    assert.equal(await countReverts(source), revertsBefore, 'no revert change-set committed');

    children.push(await startWorkerProcess(KILLED_WORKER_ENV));
    const finished = await waitForJob(job.id, undefined, 300_000);
    assert.equal(finished.status, 'succeeded', finished.error ?? '');
    assert.equal(finished.attempts, 2);
    assert.deepEqual(differences(snapshot, await trackedRows(datasetId)), [], 'every record as it was');
    assert.equal(await countReverts(source), revertsBefore + 1, 'reverted once');
    assert.equal(await Job.count({ where: { id: job.id } }), 1);
  });

  it('audits every step: the chain and every change-set digest verify', async function () {
    this.timeout(120_000);
    const report = await verifyAuditChain();
    assert.ok(report.ok, report.problem);
    assert.ok((report.changeSets ?? 0) > 10, `${report.changeSets} change-sets checked against their digests`);
    const reverts = await AuditEvent.count({ where: { action: 'records.revert', outcome: 'success' } });
    assert.ok(reverts >= 8, `${reverts} reverts audited`);
  });
});

async function countReverts(source: number): Promise<number> {
  const [row] = await sequelizeOf().query<{ n: number }>(
    'SELECT count(*)::int AS n FROM change_sets WHERE reverts_change_set_id = :source',
    { replacements: { source }, type: QueryTypes.SELECT },
  );
  return row!.n;
}
