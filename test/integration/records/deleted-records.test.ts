import assert from 'node:assert/strict';
import { DataRecord, Dataset } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { findDeletedRecord } from '../../../src/records/deleted-record.js';
import { deleteRecord } from '../../../src/records/save-record.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';

describe('a deleted record says when and by whom it was deleted (service, console, API)', () => {
  let server: RunningConsole;
  let manager: Actor & { type: 'user'; email: string };
  let admin: { email: string };
  let auditor: { email: string };
  let ids: number[];

  before(async () => {
    await useTestDatabase();
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    admin = await createTestUser('admin');
    auditor = await createTestUser('auditor');
    const name = unique('deleted');
    await insertDataset(
      { type: 'system' },
      { name, task: 'text-classification', labels: ['ham', 'spam'], featureSchema: [] },
      ['one', 'two', 'three'].map((text) => ({
        text,
        features: null,
        label: 'ham',
        split: 'train' as const,
        tags: [],
      })),
    );
    const datasetId = (await Dataset.findOne({ where: { name } }))!.id;
    ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] })).map((r) => r.id);
    for (const id of ids.slice(0, 2)) await deleteRecord(manager, id);
    server = await startConsoleServer();
  });
  after(async () => server?.stop());

  it('finds who deleted it and when, and whether the asker may restore it', async () => {
    const facts = (await findDeletedRecord({ type: 'user', id: 0, email: auditor.email, role: 'auditor' }, ids[0]!))!;
    assert.equal(facts.deletedBy, manager.email);
    assert.ok(Date.now() - Date.parse(facts.deletedAt) < 60_000);
    assert.equal(facts.mayRestore, false);
    assert.ok(facts.auditSeq !== null, 'the deletion has its audit event');
    assert.equal((await findDeletedRecord(systemActor, ids[0]!))!.mayRestore, true);
    assert.equal(await findDeletedRecord(systemActor, ids[2]!), null, 'not deleted');
  });

  it("the console sends a deleted record's URL to the page that says so; only an admin restores it there", async () => {
    const reader = new HttpSession(server.baseUrl);
    await reader.login(auditor.email, TEST_PASSWORD);
    for (const action of ['show', 'history']) {
      const page = await reader.request(`/admin/resources/records/records/${ids[0]}/${action}`);
      assert.equal(page.status, 302, action);
      assert.equal(page.headers.get('location'), `/admin/resources/records/actions/deleted?recordId=${ids[0]}`);
    }
    const shown = await reader.api(`/resources/records/actions/deleted?recordId=${ids[0]}`);
    assert.equal(shown.status, 200);
    const body = (await shown.json()) as {
      deleted: { deletedBy: string; mayRestore: boolean };
      records: Array<{ id: number }>;
    };
    assert.deepEqual([body.deleted.deletedBy, body.deleted.mayRestore], [manager.email, false]);
    const listed = body.records.map((r) => r.id);
    assert.ok(listed.includes(ids[0]!) && listed.includes(ids[1]!), 'the recent deletions are listed');
    assert.ok(!listed.includes(ids[2]!));
    const viaApp = (await (await reader.api(`/resources/records/records/${ids[0]}/show`)).json()) as {
      notice: { message: string };
    };
    assert.match(viaApp.notice.message, new RegExp(`^Record ${ids[0]} was deleted on .* UTC by ${manager.email}`));
    const refused = (await (
      await reader.api('/resources/records/actions/deleted', 'POST', { recordId: String(ids[0]) })
    ).json()) as { notice: { type: string; message: string } };
    assert.equal(refused.notice.type, 'error');
    assert.match(refused.notice.message, /Only admins restore deleted records/);
    assert.ok(await DataRecord.findByPk(ids[0], { paranoid: false }).then((r) => r!.deletedAt !== null));

    const live = await reader.request(`/admin/resources/records/records/${ids[2]}/show`);
    assert.equal(live.status, 200, 'a record that is not deleted opens as usual');

    const adminSession = new HttpSession(server.baseUrl);
    await adminSession.login(admin.email, TEST_PASSWORD);
    const restored = (await (
      await adminSession.api('/resources/records/actions/deleted', 'POST', { recordId: String(ids[0]) })
    ).json()) as { notice: { type: string; message: string }; redirectUrl: string };
    assert.deepEqual([restored.notice.type, restored.notice.message], ['success', `Record ${ids[0]} is restored.`]);
    assert.equal(restored.redirectUrl, `/admin/resources/records/records/${ids[0]}/show`);
    assert.equal((await DataRecord.findByPk(ids[0]))!.deletedAt, null);
  });

  it('the API answers 410 with when and by whom for a deleted record, on read, change and delete', async () => {
    const { key } = await createApiKey(systemActor, {
      ownerEmail: manager.email,
      name: 'deleted test',
      scopes: ['records:read', 'records:write'],
    });
    const call = (method: string, body?: unknown) =>
      fetch(`${server.baseUrl}/api/v1/records/${ids[1]}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    for (const [method, body] of [['GET'], ['PATCH', { label: 'spam' }], ['DELETE']] as const) {
      const response = await call(method, body);
      assert.equal(response.status, 410, method);
      const problem = (await response.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'record.deleted');
      assert.match(
        problem.detail,
        new RegExp(`^Record ${ids[1]} was deleted on .* UTC by ${manager.email}\\. An admin can restore it`),
      );
    }
    const missing = await fetch(`${server.baseUrl}/api/v1/records/99999999`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(missing.status, 404, 'a record that never was is still not found');
  });
});
