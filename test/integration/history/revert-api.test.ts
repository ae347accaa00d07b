import assert from 'node:assert/strict';
import { AuditEvent, DataRecord, Dataset } from '../../../models/index.js';
import type { ApiScope } from '../../../models/enums.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { generateDataset } from '../../../src/datasets/generate-dataset.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { applyBulkEdit, parseBulkEdit } from '../../../src/records/bulk-edit.js';
import { updateRecord } from '../../../src/records/save-record.js';
import { latestChangeSet } from '../../support/change-sets.js';
import { createTestUser, startConsoleServer, type RunningConsole } from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';
import { cancelQueuedJobs } from '../../support/jobs.js';

describe('the history routes of /api/v1: revert preview, revert, restore a version (real HTTP)', () => {
  let server: RunningConsole;
  let datasetId: number;
  let labels: string[];
  const keys = new Map<string, string>();
  const actors = new Map<string, Actor>();

  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${keys.get(who)}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const bulkEdit = async (selection: unknown, changes: unknown) => {
    const manager = actors.get('manager')!;
    const parsed = parseBulkEdit(manager, { selection, changes });
    await applyBulkEdit(manager, parsed.selection, parsed.changes);
    return (await latestChangeSet('records.bulk_update')).changeSetId;
  };

  before(async function () {
    this.timeout(120_000);
    await useTestDatabase();
    await stopWorker(); // the large revert below stays queued: this file checks the 202, not the job
    server = await startConsoleServer();
    const people: Array<[string, 'content_manager' | 'data_scientist' | 'auditor', ApiScope[]]> = [
      ['manager', 'content_manager', ['records:read', 'records:write']],
      ['scientist', 'data_scientist', ['records:read', 'records:write']],
      ['auditor', 'auditor', ['records:read']],
      ['reader', 'content_manager', ['records:read']],
    ];
    for (const [who, role, scopes] of people) {
      const user = await createTestUser(role);
      actors.set(who, { type: 'user', ...user });
      keys.set(who, (await createApiKey(systemActor, { ownerEmail: user.email, name: unique('history'), scopes })).key);
    }
    ({ datasetId } = await generateDataset(systemActor, {
      name: unique('revert-api'),
      rows: 6_000,
      task: 'text-classification',
    }));
    labels = (await Dataset.findByPk(datasetId))!.labels;
  });
  after(async () => {
    await cancelQueuedJobs();
    await server?.stop();
  });

  it('previews and reverts a change-set: 200 with the counts, then the records are back; 409 once there is nothing left', async () => {
    const ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']], limit: 4 })).map((r) => r.id);
    const source = await bulkEdit({ ids }, { addTags: 'api-revert' });
    const preview = await call('manager', 'GET', `/change-sets/${source}/revert-preview`);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(
      [preview.body.records, preview.body.wouldRevert, preview.body.fields, preview.body.refused],
      [4, 4, ['tags'], null],
    );
    const reverted = await call('manager', 'POST', `/change-sets/${source}/revert`, { conflicts: 'skip' });
    assert.equal(reverted.status, 200, JSON.stringify(reverted.body));
    assert.deepEqual([reverted.body.reverted, reverted.body.skipped], [4, 0]);
    assert.deepEqual(reverted.body.source, { changeSetId: source, auditSeq: preview.body.auditSeq });
    const rows = await DataRecord.findAll({ where: { id: ids } });
    assert.ok(rows.every((r) => !r.tags.includes('api-revert')));

    const read = await call('auditor', 'GET', `/change-sets/${source}?limit=3`);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    const changeSet = read.body.changeSet as { id: number; records: number; revertedBy: Array<{ id: number }> };
    assert.deepEqual(
      [changeSet.id, changeSet.records, changeSet.revertedBy.map((r) => r.id)],
      [source, 4, [reverted.body.changeSetId]],
    );
    const page = read.body.rows as { items: Array<{ recordId: number; after: unknown }>; nextAfter: number };
    assert.deepEqual(
      page.items.map((r) => r.recordId),
      ids.slice(0, 3),
    );
    assert.equal(page.nextAfter, ids[2]);
    const last = await call('auditor', 'GET', `/change-sets/${source}?limit=3&after=${page.nextAfter}`);
    assert.deepEqual(
      [
        (last.body.rows as { items: Array<{ recordId: number }> }).items.map((r) => r.recordId),
        (last.body.rows as { nextAfter: null }).nextAfter,
      ],
      [[ids[3]], null],
    );
    const history = await call('reader', 'GET', `/records/${ids[0]}/history?perPage=5`);
    assert.equal(history.status, 200, JSON.stringify(history.body));
    const entries = history.body.items as Array<{
      changeSetId: number;
      action: string;
      revertsChangeSetId: number | null;
    }>;
    assert.deepEqual(
      entries.slice(0, 2).map((e) => [e.changeSetId, e.action, e.revertsChangeSetId]),
      [
        [reverted.body.changeSetId, 'records.revert', source],
        [source, 'records.bulk_update', null],
      ],
      'newest first: the revert, then the edit',
    );

    const again = await call('manager', 'POST', `/change-sets/${source}/revert`, { conflicts: 'overwrite' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'history.nothing_to_revert');
    assert.match(String(again.body.detail), /has its earlier values already/);
  });

  it('queues the revert of more than 5,000 records as a job: 202 with the job and its Location', async () => {
    const source = await bulkEdit({ filter: { datasetId: String(datasetId) } }, { addTags: 'api-large' });
    const response = await fetch(`${server.baseUrl}/api/v1/change-sets/${source}/revert`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.get('manager')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conflicts: 'skip' }),
    });
    const body = (await response.json()) as { job: { id: number; kind: string; status: string; params: unknown } };
    assert.equal(response.status, 202, JSON.stringify(body));
    assert.deepEqual([body.job.kind, body.job.status], ['revert', 'queued']);
    assert.deepEqual(body.job.params, { changeSetId: source, conflicts: 'skip' });
    assert.equal(response.headers.get('location'), `/api/v1/jobs/${body.job.id}`);
  });

  it('restores a record to a past version: 200 with the fields; 404 for a change-set not in its history', async () => {
    const record = (await DataRecord.findOne({ where: { datasetId }, order: [['id', 'DESC']] }))!;
    const [one, two] = labels.filter((l) => l !== record.label) as [string, string];
    await updateRecord(actors.get('manager')!, record.id, { label: one });
    const first = (await latestChangeSet('records.update')).changeSetId;
    await updateRecord(actors.get('manager')!, record.id, { label: two });
    const restored = await call('scientist', 'POST', `/records/${record.id}/restore-version`, { changeSetId: first });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.deepEqual(restored.body.fields, ['label']);
    assert.equal((await DataRecord.findByPk(record.id))!.label, one);

    const other = (await DataRecord.findOne({ where: { datasetId }, order: [['id', 'ASC']] }))!;
    const elsewhere = await call('scientist', 'POST', `/records/${record.id}/restore-version`, {
      changeSetId: await bulkEdit({ ids: [other.id] }, { addTags: 'elsewhere' }),
    });
    assert.equal(elsewhere.status, 404);
    assert.equal(elsewhere.body.code, 'history.not_in_history');
  });

  it("refuses what the caller's role or fields do not allow, with a problem saying what to do, each refusal audited once", async () => {
    const ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']], limit: 2 })).map((r) => r.id);
    const source = await bulkEdit({ ids }, { split: 'holdout' });
    const seq = (await AuditEvent.max<number, AuditEvent>('seq')) ?? 0;

    const scientist = await call('scientist', 'POST', `/change-sets/${source}/revert`, { conflicts: 'skip' });
    assert.equal(scientist.status, 403);
    assert.equal(scientist.body.code, 'history.revert_fields_forbidden');
    assert.match(String(scientist.body.detail), /may change only: label \(not split\): ask a content manager/);
    const preview = await call('scientist', 'GET', `/change-sets/${source}/revert-preview`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.refused, scientist.body.detail);

    const auditor = await call('auditor', 'GET', `/change-sets/${source}/revert-preview`);
    assert.equal(auditor.status, 403);
    assert.equal(auditor.body.code, 'auth.role_forbidden');
    const reader = await call('reader', 'POST', `/change-sets/${source}/revert`, { conflicts: 'skip' });
    assert.equal(reader.status, 403);
    assert.equal(reader.body.code, 'auth.missing_scope');

    const denied = await AuditEvent.findAll({ where: { outcome: 'denied' }, order: [['seq', 'ASC']] });
    const fresh = denied.filter((e) => Number(e.seq) > seq);
    assert.deepEqual(
      fresh.map((e) => [e.action, e.reason?.split(':')[0]]),
      [
        ['records.revert', 'history.revert_fields_forbidden'],
        ['records.revert', 'auth.role_forbidden'],
        ['records.revert', 'auth.missing_scope'],
      ],
    );
    assert.ok((await DataRecord.findAll({ where: { id: ids } })).every((r) => r.split === 'holdout'));
  });

  it('answers malformed ids and bodies with 400 naming the field, unknown change-sets with 404', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['GET', '/change-sets/abc/revert-preview', undefined, 400, 'path.invalid'],
      ['GET', '/change-sets/1?limit=0', undefined, 400, 'query.invalid'],
      ['GET', '/change-sets/99999999999', undefined, 404, 'change_set.not_found'],
      ['GET', '/records/1/history?perPage=501', undefined, 400, 'query.invalid'],
      ['GET', '/records/99999999999/history', undefined, 404, 'record.not_found'],
      ['GET', '/change-sets/0/revert-preview', undefined, 400, 'path.invalid'],
      ['GET', '/change-sets/99999999999/revert-preview', undefined, 404, 'change_set.not_found'],
      ['POST', '/change-sets/1/revert', {}, 400, 'body.invalid'],
      ['POST', '/change-sets/1/revert', { conflicts: 'maybe' }, 400, 'body.invalid'],
      ['POST', '/change-sets/1/revert', { conflicts: 'skip', changeSetId: 2 }, 400, 'body.invalid'],
      ['POST', '/change-sets/99999999999/revert', { conflicts: 'skip' }, 404, 'change_set.not_found'],
      ['POST', '/records/1/restore-version', { changeSetId: 'x' }, 400, 'body.invalid'],
      ['POST', '/records/1/restore-version', '[1,2', 400, 'body.malformed_json'],
      ['POST', '/records/99999999999/restore-version', { changeSetId: 1 }, 404, 'record.not_found'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await call('manager', method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, code, `${method} ${path}`);
    }
  });
});
