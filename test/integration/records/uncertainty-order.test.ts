import assert from 'node:assert/strict';
import { Filter } from 'adminjs';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ConsoleResource } from '../../../admin/adapter/console-resource.js';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { recordResource } from '../../../resources/record.resource.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { unique, useTestDatabase } from '../../support/database.js';

const RECORDS = 3_000;
const LABELS = ['spam', 'ham', 'eggs'];

interface Expected {
  id: number;
  label: string | null;
  version: number | null;
  predicted: string;
  margin: number;
  entropy: number;
}

/** Deterministic probabilities over three labels (some rows tie, so ties must break by id). */
function probabilitiesOf(i: number): number[] {
  if (i % 97 === 0) return [0.4, 0.4, 0.2];
  const raw = [1 + ((i * 37) % 11), 1 + ((i * 53) % 13), 1 + ((i * 71) % 7)];
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / sum);
}

/** Rows read from records and record_predictions by a query, from EXPLAIN ANALYZE (no timing). */
interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
function rowsReadIn(node: PlanNode): number {
  const read = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0);
  const own = ['records', 'record_predictions'].includes(node['Relation Name'] ?? '')
    ? read * (node['Actual Loops'] ?? 1)
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsReadIn(child), 0);
}

describe('records ordered and filtered by how sure their prediction was (real Postgres)', () => {
  let sequelize: Sequelize;
  let datasetId: number;
  let versionA: number;
  let versionB: number;
  let expected: Expected[];
  const resource = () => recordResource().resource as ConsoleResource;

  before(async function () {
    this.timeout(120_000);
    sequelize = await useTestDatabase();
    const one = async <T extends object>(sql: string, replacements: Record<string, unknown>) =>
      (await sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT }))[0]!;
    datasetId = (
      await one<{ id: number }>(
        `INSERT INTO datasets (name, task, labels) VALUES (:name, 'text-classification', '{spam,ham,eggs}') RETURNING id`,
        { name: unique('uo') },
      )
    ).id;
    const modelId = (
      await one<{ id: number }>(
        `INSERT INTO models (name, dataset_id, task) VALUES (:name, :datasetId, 'text-classification') RETURNING id`,
        { name: unique('uo'), datasetId },
      )
    ).id;
    const version = async (n: number) =>
      (
        await one<{ id: number }>(
          `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
           VALUES (:modelId, :n, '\\x01', md5(:seed) || md5(:seed), 1, '{}', '{"labels":["spam","ham","eggs"]}', 'test') RETURNING id`,
          { modelId, n, seed: unique('uo') },
        )
      ).id;
    [versionA, versionB] = [await version(1), await version(2)];
    const ids = await sequelize.query<{ id: string; label: string | null }>(
      `INSERT INTO records (dataset_id, text, label)
       SELECT :datasetId, 'message ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['spam','ham','eggs'])[1 + g % 3] END
         FROM generate_series(1, :n) g RETURNING id, label`,
      { replacements: { datasetId, n: RECORDS }, type: QueryTypes.SELECT },
    );
    // Most records scored by version A, every 5th by B, every 11th never: the sort is within one version.
    expected = ids.map(({ id, label }, i) => {
      const p = probabilitiesOf(i + 1);
      const sorted = [...p].sort((a, b) => b - a);
      return {
        id: Number(id),
        label,
        version: i % 11 === 10 ? null : i % 5 === 4 ? versionB : versionA,
        predicted: LABELS[p.indexOf(sorted[0]!)]!,
        margin: Math.fround(sorted[0]! - sorted[1]!),
        entropy: Math.fround(p.reduce((s, x) => s - x * Math.log(x), 0)),
      };
    });
    const scored = expected.filter((e) => e.version !== null);
    await sequelize.query(
      `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, margin, entropy)
       SELECT r.id, r.version, r.predicted, 0.5, '{0.5,0.3,0.2}', r.margin, r.entropy
         FROM jsonb_to_recordset(:rows::jsonb) AS r(id bigint, version int, predicted text, margin real, entropy real)`,
      { replacements: { rows: JSON.stringify(scored) } },
    );
    await sequelize.query('ANALYZE records; ANALYZE record_predictions');
  });

  /** Version A's records in the order asked for, computed here (margin, then id), optionally filtered. */
  const inOrder = (by: 'margin' | 'entropy', direction: 'asc' | 'desc', keep: (e: Expected) => boolean = () => true) =>
    expected
      .filter((e) => e.version === versionA && keep(e))
      .sort((a, b) => (a[by] - b[by] || a.id - b.id) * (direction === 'asc' ? 1 : -1))
      .map((e) => e.id);

  const page = async (filters: Record<string, string>, sortBy: string, direction: 'asc' | 'desc', offset = 0) => {
    const records = await resource().find(new Filter(filters, resource()), {
      limit: 20,
      offset,
      sort: { sortBy, direction },
    });
    return records.map((r) => Number(r.id()));
  };

  it('lists least certain first (margin ascending, ties by id) within one version, page after page', async () => {
    const all = inOrder('margin', 'asc');
    // Pages 1 and 2 come from the uncertain predictions (margin < 0.1) alone, the one at 1,000 from past them.
    const uncertain = expected.filter((e) => e.version === versionA && e.margin < 0.1).length;
    assert.ok(uncertain > 40 && uncertain < 1_000, `${uncertain} uncertain predictions`);
    const filters = { scoredByVersionId: String(versionA) };
    assert.deepEqual(await page(filters, 'margin', 'asc'), all.slice(0, 20));
    assert.deepEqual(await page(filters, 'margin', 'asc', 20), all.slice(20, 40));
    assert.deepEqual(await page(filters, 'margin', 'asc', 1_000), all.slice(1_000, 1_020));
  });

  it('lists highest entropy first, and the most certain first when asked (descending margin)', async () => {
    const filters = { scoredByVersionId: String(versionA) };
    assert.deepEqual(await page(filters, 'entropy', 'desc'), inOrder('entropy', 'desc').slice(0, 20));
    assert.deepEqual(await page(filters, 'margin', 'desc'), inOrder('margin', 'desc').slice(0, 20));
  });

  it('combines the order with other filters: misclassified records, least certain first', async () => {
    const wrong = (e: Expected) => e.label !== null && e.label !== e.predicted;
    const filters = { scoredByVersionId: String(versionA), misclassified: 'true' };
    assert.deepEqual(await page(filters, 'margin', 'asc'), inOrder('margin', 'asc', wrong).slice(0, 20));
  });

  it('refuses to sort by margin without a version, saying which filter to set', async () => {
    await assert.rejects(
      () => page({ datasetId: String(datasetId) }, 'margin', 'asc'),
      (error: unknown) =>
        error instanceof InvalidInput && error.code === 'list.sort_by' && /Scored by version/.test(error.message),
    );
  });

  it('walks the version index for a page: reads a page worth of rows, not every prediction', async () => {
    // The query the adapter runs, caught from Sequelize's log hook (the options' typings leave it out).
    const captured: string[] = [];
    const options = (sequelize as unknown as { options: { logging: unknown } }).options;
    const logging = options.logging;
    options.logging = (sql: string) => captured.push(sql.replace(/^Executing \([^)]*\): /, ''));
    try {
      await page({ scoredByVersionId: String(versionA) }, 'margin', 'asc');
    } finally {
      options.logging = logging;
    }
    const sql = captured.find((s) => s.includes('ORDER BY'))!.replace(/;\s*$/, '');
    const [explained] = await sequelize.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      { type: QueryTypes.SELECT },
    );
    const plan = explained!['QUERY PLAN'][0]!.Plan;
    const read = rowsReadIn(plan);
    assert.ok(read <= 200, `read ${read} rows for a page of 20: ${JSON.stringify(plan).slice(0, 2_000)}`);
    assert.match(JSON.stringify(plan), /record_predictions_uncertain_margin_idx/);
  });

  describe('through HTTP: the console list and GET /api/v1/records', () => {
    let server: RunningConsole;
    let key: string;
    let browser: HttpSession;
    before(async function () {
      this.timeout(60_000);
      server = await startConsoleServer();
      const user = await createTestUser('data_scientist');
      key = (await createApiKey({ type: 'system' }, { ownerEmail: user.email, name: 'uo', scopes: ['records:read'] }))
        .key;
      browser = new HttpSession(server.baseUrl);
      await browser.login(user.email, TEST_PASSWORD);
    });

    const consoleIds = async (query: string) => {
      const response = await browser.api(`/resources/records/actions/list?${query}`);
      const text = await response.text();
      assert.equal(response.status, 200, text);
      return (JSON.parse(text) as { records: Array<{ id: string }> }).records.map((r) => Number(r.id));
    };

    it('console: filters by a margin range within a version, and an entropy range over all versions', async () => {
      const unsure = await consoleIds(
        `filters.margin~~to=0.05&filters.scoredByVersionId=${versionA}&perPage=500&sortBy=id&direction=desc`,
      );
      assert.deepEqual(
        unsure,
        expected
          .filter((e) => e.version === versionA && e.margin <= 0.05)
          .map((e) => e.id)
          .sort((a, b) => b - a)
          .slice(0, 500),
      );
      const high = await consoleIds('filters.entropy~~from=1.05&perPage=500&sortBy=id&direction=asc');
      assert.deepEqual(
        high,
        expected
          .filter((e) => e.version !== null && e.entropy >= 1.05)
          .map((e) => e.id)
          .slice(0, 500),
      );
    });

    it('console: least certain first by clicking the margin column, once a version is chosen', async () => {
      assert.deepEqual(
        await consoleIds(`filters.scoredByVersionId=${versionA}&sortBy=margin&direction=asc&perPage=20`),
        inOrder('margin', 'asc').slice(0, 20),
      );
      const refused = await browser.api('/resources/records/actions/list?sortBy=margin&direction=asc');
      assert.equal(refused.status, 400, await refused.text());
    });
    after(async () => server.stop());

    const list = async (query: string) => {
      const response = await fetch(`${server.baseUrl}/api/v1/records?${query}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const body = (await response.json()) as {
        items?: Array<{ id: number; prediction: { margin: number; entropy: number } | null }>;
        nextAfter?: number | null;
        errors?: Record<string, string>;
        detail?: string;
      };
      return { status: response.status, body };
    };

    it('pages least certain first with `after`, each record once, margins rising', async () => {
      const all = inOrder('margin', 'asc');
      const first = await list(`scoredByVersionId=${versionA}&order=margin&limit=50`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        first.body.items!.map((r) => r.id),
        all.slice(0, 50),
      );
      const second = await list(`scoredByVersionId=${versionA}&order=margin&limit=50&after=${first.body.nextAfter}`);
      assert.deepEqual(
        second.body.items!.map((r) => r.id),
        all.slice(50, 100),
      );
      const margins = second.body.items!.map((r) => r.prediction!.margin);
      assert.deepEqual(
        margins,
        [...margins].sort((a, b) => a - b),
      );
    });

    it('orders by highest entropy and filters by a margin range', async () => {
      const top = await list(`scoredByVersionId=${versionA}&order=-entropy&limit=30`);
      assert.deepEqual(
        top.body.items!.map((r) => r.id),
        inOrder('entropy', 'desc').slice(0, 30),
      );
      const unsure = await list(`datasetId=${datasetId}&marginTo=0.05&limit=500`);
      assert.deepEqual(
        unsure.body.items!.map((r) => r.id),
        expected
          .filter((e) => e.version !== null && e.margin <= 0.05)
          .map((e) => e.id)
          .slice(0, 500),
      );
    });

    it('answers 400 naming scoredByVersionId when ordering by margin without it', async () => {
      const refused = await list('order=margin');
      assert.equal(refused.status, 400);
      assert.match(JSON.stringify(refused.body), /scoredByVersionId/);
    });
  });
});
