import assert from 'node:assert/strict';
import pg from 'pg';
import { Op, QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, Dataset, Job, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { JOB_HANDLERS } from '../../../src/jobs/handlers.js';
import { startQueue } from '../../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import {
  applyBulkEdit,
  BULK_EDIT_JOB_THRESHOLD,
  parseBulkEdit,
  previewBulkEdit,
} from '../../../src/records/bulk-edit.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { changeRecords } from '../../support/change-records.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

describe('bulk edit of records (real Postgres)', () => {
  let manager: Actor;
  let scientist: Actor;
  let datasetId: number;
  let ids: number[];

  before(async () => {
    await useTestDatabase();
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    datasetId = (await createPenguinModel('bulk')).datasetId;
    ids = (await DataRecord.findAll({ where: { datasetId, label: 'Adelie' }, order: [['id', 'ASC']], limit: 5 })).map(
      (r) => r.id,
    );
  });

  it('previews, then changes only what differs, in one audited transaction with the previous values', async () => {
    await changeRecords(() => DataRecord.update({ label: 'Gentoo' }, { where: { id: ids[0]! } }));
    const { selection, changes } = parseBulkEdit(manager, {
      selection: { ids },
      changes: { label: 'Gentoo', addTags: 'reviewed, batch-1' },
    });
    assert.deepEqual(await previewBulkEdit(manager, selection, changes), { matching: 5, changing: 5, invalid: null });
    const labelOnly = parseBulkEdit(manager, { selection: { ids }, changes: { label: 'Gentoo' } });
    assert.equal(
      (await previewBulkEdit(manager, labelOnly.selection, labelOnly.changes)).changing,
      4,
      'one record has the label already',
    );

    const result = await applyBulkEdit(manager, selection, changes);
    assert.deepEqual(result, { changed: 5, matching: 5 });
    const rows = await DataRecord.findAll({ where: { id: ids }, order: [['id', 'ASC']] });
    assert.ok(rows.every((r) => r.label === 'Gentoo' && r.tags.join(',') === 'reviewed,batch-1'));

    const event = (await AuditEvent.findOne({
      where: { action: 'records.bulk_update', outcome: 'success' },
      order: [['seq', 'DESC']],
    }))!;
    assert.deepEqual(event.recordIds, ids.map(String));
    // The previous values are in the event's change-set, one row per changed record (issue 20).
    assert.equal(event.before, null);
    assert.equal(event.changeSet?.records, 5);
    assert.deepEqual(event.changeSet?.fields, ['label', 'tags']);
    const rows2 = await sequelizeOf().query<{ recordId: string; before: Record<string, unknown> }>(
      'SELECT record_id AS "recordId", before FROM record_changes WHERE change_set_id = :id ORDER BY record_id',
      { replacements: { id: event.changeSet.id }, type: QueryTypes.SELECT },
    );
    assert.deepEqual(
      rows2.map((r) => Number(r.recordId)),
      ids,
    );
    assert.deepEqual(rows2[1]!.before, { label: 'Adelie', tags: [] });
    assert.deepEqual(rows2[0]!.before, { tags: [] }, 'its label was Gentoo already');
    assert.deepEqual(event.after, { label: 'Gentoo', addTags: ['reviewed', 'batch-1'] });
    assert.deepEqual((event.selection as { changed: number }).changed, 5);
  });

  it('counts as done only the rows a bulk-edit job committed: none until its one transaction commits', async () => {
    const bulkDataset = (await createPenguinModel('bulk-progress')).datasetId;
    const rows = await DataRecord.findAll({
      where: { datasetId: bulkDataset },
      attributes: ['datasetId', 'text', 'features', 'label', 'split', 'tags', 'source'],
      raw: true,
    });
    await DataRecord.bulkCreate(Array.from({ length: 12 }, () => rows).flat());
    const total = await DataRecord.count({ where: { datasetId: bulkDataset } });
    assert.ok(total > 4_000, 'more than two chunks of writes');
    // Committed rows as another session sees them (the job's own queries run inside its transaction).
    const outside = new pg.Client({ connectionString: testDatabaseUrl() });
    await outside.connect();
    const observed: Array<{ phase: string; done: number; committed: number }> = [];
    try {
      await JOB_HANDLERS.bulk_edit!(
        { selection: { filter: { datasetId: String(bulkDataset) } }, changes: { addTags: 'progress-check' } },
        {
          actor: manager,
          jobId: 0,
          checkpoint: null,
          progress: async (phase, done) => {
            const {
              rows: [row],
            } = await outside.query<{ n: string }>(
              `SELECT count(*) AS n FROM records WHERE dataset_id = $1 AND 'progress-check' = ANY (tags)`,
              [bulkDataset],
            );
            observed.push({ phase, done, committed: Number(row!.n) });
          },
        },
      );
    } finally {
      await outside.end();
    }
    assert.ok(
      observed.every((o) => o.done <= o.committed),
      `done never ahead of committed: ${JSON.stringify(observed)}`,
    );
    assert.ok(
      observed.some((o) => /written, all committed together at the end/.test(o.phase) && o.committed === 0),
      'the writing is shown while nothing is committed',
    );
    assert.deepEqual(observed.at(-1), { phase: 'records updated', done: total, committed: total });
  });

  it('edits all records matching a filter; tags keep their order and never repeat', async () => {
    const { selection, changes } = parseBulkEdit(manager, {
      selection: { filter: { datasetId: String(datasetId), tag: 'batch-1' } },
      changes: { addTags: 'reviewed,second', removeTags: 'batch-1' },
    });
    const result = await applyBulkEdit(manager, selection, changes);
    assert.equal(result.changed, 5);
    const rows = await DataRecord.findAll({ where: { id: ids } });
    assert.ok(
      rows.every((r) => r.tags.join(',') === 'reviewed,second'),
      rows.map((r) => r.tags.join(',')).join(' | '),
    );
  });

  it('changes nothing when any record cannot take the change, and says which', async () => {
    const other = unique('bulk-text');
    await insertDataset(
      { type: 'system' },
      {
        name: other,
        task: 'text-classification',
        labels: ['ham', 'spam'],
        featureSchema: [],
        description: null,
        source: null,
        license: null,
      },
      [{ text: 'hello', label: 'ham', split: 'train', tags: [], features: null, source: null }],
    );
    const textRecord = (await DataRecord.findOne({
      where: { datasetId: (await Dataset.findOne({ where: { name: other } }))!.id },
    }))!;
    const { selection, changes } = parseBulkEdit(manager, {
      selection: { ids: [...ids, textRecord.id] },
      changes: { label: 'Chinstrap' },
    });
    const preview = await previewBulkEdit(manager, selection, changes);
    assert.equal(preview.invalid?.count, 1);
    assert.deepEqual(preview.invalid?.firstIds, [textRecord.id]);
    await assert.rejects(
      applyBulkEdit(manager, selection, changes),
      (error: unknown) =>
        error instanceof InvalidInput &&
        /1 selected record\(s\) cannot take this change .*Nothing was changed/.test(error.message),
    );
    assert.equal(await DataRecord.count({ where: { id: ids, label: 'Chinstrap' } }), 0);
    assert.ok(await AuditEvent.findOne({ where: { action: 'records.bulk_update', outcome: 'failed' } }));
  });

  it('lets a data scientist relabel in bulk but not move records between splits (refusal audited)', async () => {
    const relabel = parseBulkEdit(scientist, { selection: { ids }, changes: { label: 'Adelie' } });
    assert.equal((await applyBulkEdit(scientist, relabel.selection, relabel.changes)).changed, 5);
    const move = parseBulkEdit(scientist, { selection: { ids }, changes: { split: 'test' } });
    await assert.rejects(
      applyBulkEdit(scientist, move.selection, move.changes),
      (error: unknown) => error instanceof Forbidden && /may change only: label/.test(error.message),
    );
    assert.ok(
      await AuditEvent.findOne({
        where: { action: 'records.bulk_update', outcome: 'denied', actorId: String((scientist as { id: number }).id) },
      }),
    );
    assert.throws(() => parseBulkEdit(manager, { selection: { ids }, changes: {} }), /say what to change/);
    assert.throws(
      () => parseBulkEdit(manager, { selection: { ids: [] }, changes: { label: 'x' } }),
      /select at least one record/,
    );
  });

  describe('from the console', () => {
    let server: RunningConsole;
    let http: HttpSession;
    before(async () => {
      await startQueue(testDatabaseUrl());
      await startWorker();
      server = await startConsoleServer();
      const user = await createTestUser('content_manager');
      http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
    });
    after(async () => {
      await stopWorker();
      await server.stop();
    });

    it('previews and applies a bulk edit of ticked records; an auditor gets 403', async () => {
      const path = `/resources/records/bulk/bulkEdit?recordIds=${ids.join(',')}`;
      const previewResponse = await http.api(path, 'POST', { mode: 'preview', split: 'holdout' });
      const preview = (await previewResponse.json()) as { preview: { matching: number; changing: number } };
      assert.ok(preview.preview, `${previewResponse.status} ${JSON.stringify(preview).slice(0, 300)}`);
      assert.deepEqual([preview.preview.matching, preview.preview.changing], [5, 5]);
      const applied = (await (await http.api(path, 'POST', { mode: 'apply', split: 'holdout' })).json()) as {
        notice: { type: string; message: string };
      };
      assert.equal(applied.notice.type, 'success', applied.notice.message);
      assert.equal(await DataRecord.count({ where: { id: ids, split: 'holdout' } }), 5);

      const auditor = await createTestUser('auditor');
      const other = new HttpSession(server.baseUrl);
      await other.login(auditor.email, TEST_PASSWORD);
      assert.equal((await other.api(path, 'POST', { mode: 'apply', split: 'train' })).status, 403);
    });

    it(`runs an edit of more than ${BULK_EDIT_JOB_THRESHOLD.toLocaleString('en')} matching records as a job, all or nothing`, async () => {
      const name = unique('bulk-big');
      const rows = Array.from({ length: BULK_EDIT_JOB_THRESHOLD + 500 }, (_, i) => ({
        text: `message ${i}`,
        label: 'ham',
        split: 'train' as const,
        tags: [],
        features: null,
        source: null,
      }));
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
        rows,
      );
      const big = (await Dataset.findOne({ where: { name } }))!;
      const answer = (await (
        await http.api('/resources/records/actions/bulkEditMatching', 'POST', {
          mode: 'apply',
          'filter.datasetId': String(big.id),
          label: 'spam',
        })
      ).json()) as { notice: { type: string; message: string }; redirectUrl: string };
      assert.equal(answer.notice.type, 'success', answer.notice.message);
      assert.match(answer.notice.message, /running as job \d+/);
      const job = (await Job.findByPk(Number(/records\/(\d+)\/show/.exec(answer.redirectUrl)?.[1])))!;
      const deadline = Date.now() + 60_000;
      while (!['succeeded', 'failed'].includes((await job.reload()).status) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      assert.equal(job.status, 'succeeded', job.error ?? '');
      assert.equal(job.progressDone, BULK_EDIT_JOB_THRESHOLD + 500);
      assert.equal(await DataRecord.count({ where: { datasetId: big.id, label: { [Op.ne]: 'spam' } } }), 0);
    });
  });
});
