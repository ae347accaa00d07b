import assert from 'node:assert/strict';
import { AuditEvent, DataRecord } from '../../../models/index.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

describe('soft delete and restore of records (real server)', () => {
  let server: RunningConsole;
  let ids: number[];

  before(async () => {
    await useTestDatabase();
    const { datasetId } = await createPenguinModel('restore');
    ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']], limit: 3 })).map((r) => r.id);
    server = await startConsoleServer();
  });
  after(() => server?.stop());

  it('a content manager bulk-deletes (only hidden, audited); an admin lists and restores them (audited); others may not', async () => {
    const manager = await createTestUser('content_manager');
    const http = new HttpSession(server.baseUrl);
    await http.login(manager.email, TEST_PASSWORD);
    const deleted = await http.api(`/resources/records/bulk/bulkDelete?recordIds=${ids.join(',')}`, 'POST', {});
    assert.equal(deleted.status, 200);
    assert.equal(await DataRecord.count({ where: { id: ids } }), 0, 'hidden from the app');
    assert.equal(await DataRecord.count({ where: { id: ids }, paranoid: false }), 3, 'still in the table');
    assert.equal(
      (await http.api('/resources/records/actions/restoreDeleted', 'POST', { ids: ids.join(',') })).status,
      403,
    );

    const admin = await createTestUser('admin');
    const adminHttp = new HttpSession(server.baseUrl);
    await adminHttp.login(admin.email, TEST_PASSWORD);
    const listed = (await (await adminHttp.api('/resources/records/actions/restoreDeleted')).json()) as {
      records: Array<{ id: number }>;
      total: number;
    };
    assert.ok(ids.every((id) => listed.records.some((r) => r.id === id)));
    const restored = (await (
      await adminHttp.api('/resources/records/actions/restoreDeleted', 'POST', { ids: ids.join(',') })
    ).json()) as { notice: { type: string; message: string } };
    assert.equal(restored.notice.message, 'Restored 3 records.');
    assert.equal(await DataRecord.count({ where: { id: ids } }), 3);
    const event = await AuditEvent.findOne({
      where: { action: 'records.restore', outcome: 'success' },
      order: [['seq', 'DESC']],
    });
    assert.deepEqual(event?.recordIds, ids.map(String));
    const again = (await (
      await adminHttp.api('/resources/records/actions/restoreDeleted', 'POST', { ids: ids.join(',') })
    ).json()) as { notice: { type: string; message: string } };
    assert.equal(again.notice.type, 'error');
    assert.match(again.notice.message, /None of these records is deleted/);
  });
});
