import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { AuditEvent } from '../../../models/index.js';
import { appendAuditEvent } from '../../../src/audit/append-audit-event.js';
import { sequelizeOf } from '../../../models/index.js';
import { useTestDatabase, unique } from '../../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

describe('audit export: filtered CSV and JSON lines, streamed and audited (real server)', () => {
  let server: RunningConsole;
  let auditor: HttpSession;
  let auditorEmail: string;
  const EVENTS = 2_345; // more than one page of the export
  const marker = unique('bulk-relabel').replace(/[^a-z0-9]/g, '');

  before(async () => {
    await useTestDatabase();
    // Many events of one distinctive action, with a formula-like reason (CSV injection check).
    await sequelizeOf().transaction(async (transaction) => {
      for (let i = 0; i < EVENTS; i += 1) {
        await appendAuditEvent(
          { type: 'system' },
          {
            action: `records.${marker}`,
            resource: 'records',
            recordIds: [i],
            before: { label: 'ham' },
            after: { label: 'spam' },
            outcome: 'success',
            reason: i === 0 ? '=HYPERLINK("http://evil")' : null,
          },
          transaction,
        );
      }
    });
    server = await startConsoleServer();
    const user = await createTestUser('auditor');
    auditorEmail = user.email;
    auditor = new HttpSession(server.baseUrl);
    await auditor.login(user.email, TEST_PASSWORD);
  });
  after(() => server?.stop());

  it('exports exactly the filtered events as CSV, every column, formulas defused', async () => {
    const response = await auditor.request(`/admin/exports/audit-events.csv?filters.action=${marker}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="audit-events-.*\.csv"/);
    const rows = parse<Record<string, string>>(await response.text(), { columns: true });
    assert.equal(rows.length, EVENTS);
    assert.deepEqual(Object.keys(rows[0]!).slice(0, 3), ['seq', 'at', 'actorType']);
    assert.ok(
      rows.every((row, i) => i === 0 || Number(row.seq) === Number(rows[i - 1]!.seq) + 1),
      'in chain order',
    );
    assert.deepEqual(JSON.parse(rows[1]!.after!), { label: 'spam' });
    assert.equal(rows[0]!.reason, `'=HYPERLINK("http://evil")`, 'a cell starting with = is escaped');
    assert.match(rows[0]!.hash!, /^[0-9a-f]{64}$/);
  });

  it('exports JSON lines with the record-id and time filters, and records who exported what', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const response = await auditor.request(
      `/admin/exports/audit-events.jsonl?filters.action=${marker}&filters.recordIds=7&filters.at~~from=${from}`,
    );
    assert.equal(response.status, 200);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { recordIds: string[]; prevHash: string });
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0]!.recordIds, ['7']);
    const event = await AuditEvent.findOne({
      where: { action: 'audit.export', actorLabel: auditorEmail },
      order: [['seq', 'DESC']],
    });
    assert.deepEqual(event?.selection, { format: 'jsonl', filter: { action: marker, recordId: '7', from } });
  });

  it('filters the console list by record id and by text anywhere in the event (same rules as the export)', async () => {
    type List = { records: Array<{ params: Record<string, unknown> }>; meta: { total: number } };
    const byRecord = (await (
      await auditor.api(`/resources/auditEvents/actions/list?filters.action=${marker}&filters.recordIds=7`)
    ).json()) as List;
    assert.ok(byRecord.meta, JSON.stringify(byRecord).slice(0, 500));
    assert.equal(byRecord.meta.total, 1);
    assert.equal(byRecord.records[0]!.params['recordIds.0'], '7');
    const byText = (await (
      await auditor.api(`/resources/auditEvents/actions/list?filters.q=${encodeURIComponent('HYPERLINK("http://EVIL')}`)
    ).json()) as List;
    assert.equal(byText.meta.total, 1, 'case-insensitive, and the pattern characters are literal');
    const upper = (await (
      await auditor.api(`/resources/auditEvents/actions/list?filters.action=${marker.toUpperCase()}`)
    ).json()) as List;
    assert.equal(upper.meta.total, EVENTS, 'text filters ignore case');
  });

  it('explains a bad filter, and refuses the export to a content manager (recorded as denied)', async () => {
    const bad = await auditor.request('/admin/exports/audit-events.csv?filters.at~~from=last-tuesday');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /from: give a date/);
    const manager = await createTestUser('content_manager');
    const http = new HttpSession(server.baseUrl);
    await http.login(manager.email, TEST_PASSWORD);
    const refused = await http.request('/admin/exports/audit-events.csv');
    assert.equal(refused.status, 403);
    assert.ok(
      await AuditEvent.findOne({ where: { action: 'audit.export', actorLabel: manager.email, outcome: 'denied' } }),
    );
    assert.equal(
      (await new HttpSession(server.baseUrl).request('/admin/exports/audit-events.csv')).status,
      403,
      'signed out: refused',
    );
  });
});
