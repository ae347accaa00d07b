import assert from 'node:assert/strict';
import { AuditEvent, DataRecord } from '../../../models/index.js';
import type {
  ChangeSetPage,
  HistoryPage,
  RestorePreviewView,
  RevertDoneView,
  RevertPreviewView,
} from '../../../admin/components/change-set-view.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

interface Notice {
  notice?: { type: string; message: string };
}

async function signedIn(baseUrl: string, role: 'content_manager' | 'data_scientist' | 'auditor' | 'admin') {
  const user = await createTestUser(role);
  const http = new HttpSession(baseUrl);
  await http.login(user.email, TEST_PASSWORD);
  return { user, http };
}

const labels = async (ids: readonly number[]) =>
  (await DataRecord.findAll({ where: { id: ids }, order: [['id', 'ASC']] })).map((r) => r.label);

describe("the console's change history: an event's changes, their export, revert, a record's History and restore (real server)", () => {
  let server: RunningConsole;
  let ids: number[];
  let manager: Awaited<ReturnType<typeof signedIn>>;
  let auditor: Awaited<ReturnType<typeof signedIn>>;
  let scientist: Awaited<ReturnType<typeof signedIn>>;
  let event: AuditEvent;
  let changeSetId: number;

  before(async () => {
    await useTestDatabase();
    const { datasetId } = await createPenguinModel('history-console');
    ids = (await DataRecord.findAll({ where: { datasetId, label: 'Adelie' }, order: [['id', 'ASC']], limit: 3 })).map(
      (r) => r.id,
    );
    server = await startConsoleServer();
    manager = await signedIn(server.baseUrl, 'content_manager');
    auditor = await signedIn(server.baseUrl, 'auditor');
    scientist = await signedIn(server.baseUrl, 'data_scientist');
    const edited = await manager.http.api(`/resources/records/bulk/bulkEdit?recordIds=${ids.join(',')}`, 'POST', {
      mode: 'apply',
      label: 'Chinstrap',
      split: 'holdout',
    });
    assert.equal(edited.status, 200);
    assert.deepEqual(await labels(ids), ['Chinstrap', 'Chinstrap', 'Chinstrap']);
    event = (await AuditEvent.findOne({
      where: { action: 'records.bulk_update', outcome: 'success', actorLabel: manager.user.email },
      order: [['seq', 'DESC']],
    }))!;
    changeSetId = event.changeSet!.id;
  });
  after(() => server?.stop());

  it("pages an event's change-set to whoever may open the event, and says who may revert it", async () => {
    const answer = await manager.http.api(`/resources/auditEvents/records/${event.seq}/show?changesPage=1`);
    assert.equal(answer.status, 200);
    const { changes } = (await answer.json()) as { changes: ChangeSetPage };
    assert.equal(changes.changeSet.id, changeSetId);
    assert.equal(changes.changeSet.records, 3);
    assert.equal(changes.total, 3);
    assert.deepEqual(changes.changeSet.fields, ['label', 'split']);
    assert.deepEqual(
      changes.rows.map((r) => r.recordId),
      ids,
    );
    assert.deepEqual(changes.rows[0]!.after, { label: 'Chinstrap', split: 'holdout' });
    assert.equal(changes.rows[0]!.before.label, 'Adelie');
    assert.deepEqual(changes.revert, { allowed: true, reason: null });

    const read = (await (
      await auditor.http.api(`/resources/auditEvents/records/${event.seq}/show?changesPage=1`)
    ).json()) as { changes: ChangeSetPage };
    assert.equal(read.changes.rows.length, 3);
    assert.equal(read.changes.revert.allowed, false);
    assert.match(read.changes.revert.reason ?? '', /may read this change-set but not revert it/);

    // A page past the end is empty, not an error; a malformed one is refused with what it takes.
    const past = (await (
      await manager.http.api(`/resources/auditEvents/records/${event.seq}/show?changesPage=2`)
    ).json()) as { changes: ChangeSetPage };
    assert.deepEqual(past.changes.rows, []);
    const malformed = (await (
      await manager.http.api(`/resources/auditEvents/records/${event.seq}/show?changesPage=abc`)
    ).json()) as Notice;
    assert.equal(malformed.notice?.type, 'error');
  });

  it('exports the change-set as CSV and JSON lines, streamed, only from this site', async () => {
    const csv = await auditor.http.request(`/admin/exports/change-sets/${changeSetId}.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    assert.equal(lines[0], 'recordId,kind,field,before,after');
    for (const id of ids) {
      assert.ok(lines.includes(`${id},updated,label,Adelie,Chinstrap`), lines.join('\n'));
      assert.ok(
        lines.some((line) => line.startsWith(`${id},updated,split,`)),
        lines.join('\n'),
      );
    }

    const jsonl = await manager.http.request(`/admin/exports/change-sets/${changeSetId}.jsonl`);
    assert.equal(jsonl.status, 200);
    const rows = (await jsonl.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      rows.map((row) => row.recordId),
      ids,
    );
    const exported = await AuditEvent.count({ where: { action: 'change_sets.export', outcome: 'success' } });
    assert.equal(exported, 2, 'each export is audited');

    const crossSite = await auditor.http.request(`/admin/exports/change-sets/${changeSetId}.csv`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(crossSite.status, 403);
    const unknown = await auditor.http.request(`/admin/exports/change-sets/${changeSetId}.xml`);
    assert.equal(unknown.status, 404);
  });

  it("refuses a data scientist's revert of a change beyond labels, with the reason, before and after confirming", async () => {
    const preview = (await (
      await scientist.http.api(`/resources/records/actions/revert?changeSetId=${changeSetId}`)
    ).json()) as { preview: RevertPreviewView };
    assert.match(preview.preview.refused ?? '', /may change only: label/);
    const posted = (await (
      await scientist.http.api('/resources/records/actions/revert', 'POST', { changeSetId, conflicts: 'skip' })
    ).json()) as Notice;
    assert.equal(posted.notice?.type, 'error');
    assert.match(posted.notice?.message ?? '', /may change only: label/);
    assert.deepEqual(await labels(ids), ['Chinstrap', 'Chinstrap', 'Chinstrap']);
    const denied = await AuditEvent.findOne({
      where: { action: 'records.revert', outcome: 'denied', actorLabel: scientist.user.email },
    });
    assert.ok(denied, 'the refusal is audited');
  });

  it('refuses an auditor the revert page and its POST (403), and a POST without the CSRF token', async () => {
    assert.equal((await auditor.http.api(`/resources/records/actions/revert?changeSetId=${changeSetId}`)).status, 403);
    assert.equal(
      (await auditor.http.api('/resources/records/actions/revert', 'POST', { changeSetId, conflicts: 'skip' })).status,
      403,
    );
    const forged = await manager.http.request('/admin/api/resources/records/actions/revert', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ changeSetId, conflicts: 'overwrite' }),
    });
    assert.equal(forged.status, 403);
    assert.deepEqual(await labels(ids), ['Chinstrap', 'Chinstrap', 'Chinstrap']);
  });

  it('previews and reverts for a content manager, at once below the job threshold', async () => {
    const { preview } = (await (
      await manager.http.api(`/resources/records/actions/revert?changeSetId=${changeSetId}`)
    ).json()) as { preview: RevertPreviewView };
    assert.equal(preview.records, 3);
    assert.equal(preview.wouldRevert, 3);
    assert.equal(preview.conflicts.count, 0);
    assert.equal(preview.refused, null);
    assert.equal(preview.jobThreshold, 5_000);
    const answer = (await (
      await manager.http.api('/resources/records/actions/revert', 'POST', { changeSetId, conflicts: 'skip' })
    ).json()) as Notice & { done: RevertDoneView };
    assert.equal(answer.notice?.type, 'success', answer.notice?.message);
    assert.equal(answer.done.reverted, 3);
    assert.deepEqual(await labels(ids), ['Adelie', 'Adelie', 'Adelie']);
  });

  it("lists a record's History newest first, and restores it to a version after a preview; an auditor reads it only", async () => {
    const { history } = (await (await manager.http.api(`/resources/records/records/${ids[0]}/history`)).json()) as {
      history: HistoryPage;
    };
    assert.deepEqual(
      history.entries.slice(0, 2).map((e) => e.action),
      ['records.revert', 'records.bulk_update'],
    );
    assert.equal(history.entries[1]!.changeSetId, changeSetId);
    assert.equal(history.entries[1]!.actorLabel, manager.user.email);
    assert.equal(history.entries[1]!.auditSeq, Number(event.seq));
    assert.equal(history.restore.allowed, true);

    const { preview } = (await (
      await manager.http.api(`/resources/records/records/${ids[0]}/restoreVersion?changeSetId=${changeSetId}`)
    ).json()) as { preview: RestorePreviewView };
    assert.deepEqual(preview.fields.sort(), ['label', 'split']);
    assert.equal(preview.current.label, 'Adelie');
    assert.equal(preview.target.label, 'Chinstrap');

    const refused = await auditor.http.api(`/resources/records/records/${ids[0]}/restoreVersion`, 'POST', {
      changeSetId,
    });
    assert.equal(refused.status, 403);
    const read = (await (await auditor.http.api(`/resources/records/records/${ids[0]}/history`)).json()) as {
      history: HistoryPage;
    };
    assert.equal(read.history.restore.allowed, false);

    const restored = (await (
      await manager.http.api(`/resources/records/records/${ids[0]}/restoreVersion`, 'POST', { changeSetId })
    ).json()) as Notice;
    assert.equal(restored.notice?.type, 'success', restored.notice?.message);
    assert.deepEqual(await labels([ids[0]!]), ['Chinstrap']);
    const again = (await (
      await manager.http.api(`/resources/records/records/${ids[0]}/restoreVersion`, 'POST', { changeSetId })
    ).json()) as Notice;
    assert.equal(again.notice?.type, 'error');
    assert.match(again.notice?.message ?? '', /nothing to restore/);
  });
});
