import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { AuditEvent, DataRecord } from '../../../models/index.js';
import { RECORD_EXPORT_COLUMNS } from '../../../src/records/export-records.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { changeRecords } from '../../support/change-records.js';

describe('records export: the list view as CSV or JSON lines, streamed (real server)', () => {
  let server: RunningConsole;
  let http: HttpSession;
  let email: string;
  let datasetId: number;

  before(async () => {
    await useTestDatabase();
    datasetId = (await createPenguinModel('export')).datasetId;
    const deleted = (await DataRecord.findOne({ where: { datasetId, label: 'Gentoo' } }))!;
    await changeRecords(() => deleted.destroy()); // soft delete
    server = await startConsoleServer();
    const user = await createTestUser('content_manager');
    email = user.email;
    http = new HttpSession(server.baseUrl);
    await http.login(user.email, TEST_PASSWORD);
  });
  after(() => server?.stop());

  it("exports exactly the filtered records in the list's order, every column, deleted ones left out", async () => {
    const response = await http.request(
      `/admin/exports/records.csv?filters.datasetId=${datasetId}&filters.label=Gentoo&sortBy=id&direction=asc`,
    );
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="records-.*\.csv"/);
    const rows = parse<Record<string, string>>(await response.text(), { columns: true });
    const expected = await DataRecord.count({ where: { datasetId, label: 'Gentoo' } });
    assert.equal(rows.length, expected);
    assert.deepEqual(Object.keys(rows[0]!), [...RECORD_EXPORT_COLUMNS]);
    assert.ok(
      rows.every((row, i) => i === 0 || Number(row.id) > Number(rows[i - 1]!.id)),
      'ascending ids',
    );
    assert.ok(
      rows.every((row) => row.label === 'Gentoo'),
      'the label filter matches like the list (exactly: labels come from the label set)',
    );
    assert.equal(typeof (JSON.parse(rows[0]!.features!) as Record<string, unknown>).beak_length_mm, 'number');
    const audit = await AuditEvent.findOne({
      where: { action: 'records.export', actorLabel: email },
      order: [['seq', 'DESC']],
    });
    assert.deepEqual((audit?.selection as { filters: Record<string, string> }).filters, {
      datasetId: String(datasetId),
      label: 'Gentoo',
    });
  });

  it('exports JSON lines sorted as asked', async () => {
    const response = await http.request(
      `/admin/exports/records.jsonl?filters.datasetId=${datasetId}&sortBy=label&direction=desc`,
    );
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { label: string; tags: string[] });
    assert.equal(lines.length, await DataRecord.count({ where: { datasetId } }));
    assert.equal(lines[0]!.label, 'Gentoo');
    assert.equal(lines.at(-1)!.label, 'Adelie');
    assert.ok(Array.isArray(lines[0]!.tags));
  });

  it('refuses a visitor who is not signed in', async () => {
    assert.equal((await new HttpSession(server.baseUrl).request('/admin/exports/records.csv')).status, 403);
  });
});
