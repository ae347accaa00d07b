import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { DataRecord, Dataset } from '../../models/index.js';
import { RESOURCE_IDS } from '../../src/access/rules.js';
import { unique, useTestDatabase } from '../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';

/** What an attacker types into a sort, filter or search box, hoping it reaches SQL as code. */
const SQL_PAYLOADS = [
  `id; DROP TABLE records; --`,
  `id" DESC; DELETE FROM records; --`,
  `(SELECT password_hash FROM users LIMIT 1)`,
  `' OR '1'='1`,
  `x' OR 1=1 --`,
  `1 OR 1=1`,
  `%' UNION SELECT email, password_hash FROM users --`,
  `\\'; SELECT pg_sleep(5); --`,
];

/** Spreadsheet formulas: a cell starting with one of = + - @ (or a tab/CR) is run by Excel/LibreOffice. */
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', '-2+3', '@SUM(1)', '\t=1+1', '\r=1+1'];

describe('security: injection through sort, filter, search and export (real server, real Postgres)', () => {
  let server: RunningConsole;
  let admin: HttpSession;
  let datasetId: number;
  let total: number;

  before(async () => {
    await useTestDatabase();
    const dataset = await Dataset.create({
      name: unique('inject'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    datasetId = dataset.id;
    await DataRecord.bulkCreate([
      { datasetId, text: 'plain text', features: null, label: 'ham', source: 'test' },
      { datasetId, text: "O'Brien said 1=1", features: null, label: 'spam', source: 'test' },
      ...FORMULAS.map((text) => ({ datasetId, text, features: null, label: 'ham', source: 'test', tags: [text] })),
    ]);
    total = await DataRecord.count();
    server = await startConsoleServer();
    const user = await createTestUser('admin');
    admin = new HttpSession(server.baseUrl);
    await admin.login(user.email, TEST_PASSWORD);
  });
  after(() => server?.stop());

  const stillIntact = async () => {
    assert.equal(await DataRecord.count(), total, 'no record was deleted or added');
  };

  it('still sorts every console list by its default, and by the columns it shows', async () => {
    for (const resource of RESOURCE_IDS) {
      const list = await admin.api(`/resources/${resource}/actions/list`);
      assert.equal(list.status, 200, `${resource}: default sort`);
    }
    for (const [resource, column] of [
      ['records', 'id'],
      ['records', 'label'],
      ['records', 'updatedAt'],
      ['users', 'email'],
      ['datasets', 'name'],
      ['auditEvents', 'seq'],
    ] as const) {
      const sorted = await admin.api(`/resources/${resource}/actions/list?sortBy=${column}&direction=asc`);
      assert.equal(sorted.status, 200, `${resource} by ${column}`);
    }
  });

  it('refuses a sort on anything but a sortable column with 400 naming the columns, for every payload', async () => {
    for (const payload of [...SQL_PAYLOADS, 'passwordHash', 'nonexistent']) {
      const resource = payload === 'passwordHash' ? 'users' : 'records';
      const response = await admin.api(`/resources/${resource}/actions/list?sortBy=${encodeURIComponent(payload)}`);
      assert.equal(response.status, 400, `sortBy=${payload}`);
      const body = (await response.json()) as { error: string; message: string };
      assert.equal(body.error, 'list.sort_by');
      assert.match(body.message, /sort by one of .*\b(id|email)\b/);
      assert.doesNotMatch(
        body.message,
        /syntax error|relation "|does not exist|Sequelize/i,
        'no database error is echoed',
      );
    }
    await stillIntact();
  });

  it('refuses a direction other than asc or desc with 400 naming it, never as SQL', async () => {
    const response = await admin.api(
      `/resources/records/actions/list?sortBy=id&direction=${encodeURIComponent('asc; DROP TABLE records')}`,
    );
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { message: string }).message, /direction must be asc or desc/);
    await stillIntact();
  });

  it('matches filter and search payloads as literal text: nothing extra is found, nothing breaks', async () => {
    for (const payload of SQL_PAYLOADS) {
      for (const filter of ['text', 'label', 'source', 'tags']) {
        const response = await admin.api(
          `/resources/records/actions/list?filters.datasetId=${datasetId}&filters.${filter}=${encodeURIComponent(payload)}`,
        );
        assert.ok(
          response.status === 200 || response.status === 400,
          `filters.${filter}=${payload}: HTTP ${response.status}`,
        );
        if (response.status === 200) {
          const { records } = (await response.json()) as { records: Array<{ params: Record<string, unknown> }> };
          assert.equal(records.length, 0, `filters.${filter}=${payload} found ${records.length} records`);
        }
      }
      const id = await admin.api(`/resources/records/actions/list?filters.id=${encodeURIComponent(payload)}`);
      assert.notEqual(id.status, 500, `filters.id=${payload}`);
    }
    const literal = await admin.api(
      `/resources/records/actions/list?filters.datasetId=${datasetId}&filters.text=${encodeURIComponent("O'Brien said 1=1")}`,
    );
    assert.equal(
      ((await literal.json()) as { records: unknown[] }).records.length,
      1,
      'a quote in a search is just a character',
    );
    await stillIntact();
  });

  it("validates the REST API's order and filters the same way", async () => {
    const order = await admin.request(
      `/api/v1/records?datasetId=${datasetId}&order=${encodeURIComponent('id; DROP TABLE records')}`,
    );
    assert.equal(order.status, 400);
    assert.match(((await order.json()) as { errors: Array<{ path: string }> }).errors[0]!.path, /order/);
    for (const payload of SQL_PAYLOADS) {
      const response = await admin.request(
        `/api/v1/records?datasetId=${datasetId}&text=${encodeURIComponent(payload)}&label=${encodeURIComponent(payload)}`,
      );
      assert.equal(response.status, 200, `text=${payload}`);
      assert.equal(((await response.json()) as { items: unknown[] }).items.length, 0);
    }
    const badId = await admin.request(`/api/v1/records?datasetId=${encodeURIComponent('1 OR 1=1')}`);
    assert.equal(badId.status, 400);
    await stillIntact();
  });

  it('exports with an injected sort falling back to id, and defuses spreadsheet formulas in every cell', async () => {
    const response = await admin.request(
      `/admin/exports/records.csv?filters.datasetId=${datasetId}&sortBy=${encodeURIComponent('id" DESC; DROP TABLE records; --')}&direction=asc`,
    );
    assert.equal(response.status, 200);
    const rows = parse<Record<string, string>>(await response.text(), { columns: true, relax_quotes: true });
    assert.equal(rows.length, 2 + FORMULAS.length);
    assert.ok(
      rows.every((row, i) => i === 0 || Number(row.id) > Number(rows[i - 1]!.id)),
      'ascending ids',
    );
    const formulaRows = rows.filter((row) => FORMULAS.some((f) => row.text!.endsWith(f)));
    assert.equal(formulaRows.length, FORMULAS.length);
    for (const row of formulaRows) {
      assert.match(
        row.text!,
        /^'/,
        `${JSON.stringify(row.text)} starts with a quote, so a spreadsheet shows it as text`,
      );
      assert.match(row.tags!, /^\[/, 'tags are a JSON array: never a formula');
    }
    await stillIntact();
  });
});
