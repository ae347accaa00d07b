import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { DataRecord, Dataset } from '../../models/index.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { loadPenguins, PENGUIN_FEATURES } from '../../seeders/penguins.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { unique } from '../support/database.js';

/** Downloads the records of `datasetId` as CSV through the records list's Export drawer. */
async function exportCsv(page: Page, baseUrl: string, datasetId: number): Promise<Buffer> {
  await page.goto(`${baseUrl}/admin/resources/records/actions/export?filters.datasetId=${datasetId}`);
  await page.waitForSelector('[data-testid="export-records-csv"]');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid="export-records-csv"]'),
  ]);
  return fs.readFile(await download.path());
}

/** Uploads `csv` on the dataset's Import CSV page with the mapping it proposes, and runs the dry run. */
async function dryRun(page: Page, baseUrl: string, datasetId: number, csv: Buffer): Promise<string> {
  await page.goto(`${baseUrl}/admin/resources/datasets/records/${datasetId}/importCsv`);
  await page.waitForSelector('[data-testid="import-form"]');
  await page.setInputFiles('[data-testid="import-file"]', { name: 'export.csv', mimeType: 'text/csv', buffer: csv });
  await page.click('[data-testid="import-upload"]');
  await page.waitForSelector('[data-testid="import-mapping"]');
  await page.click('[data-testid="import-dry-run"]');
  await page.waitForSelector('[data-testid="import-summary"]', { timeout: 60_000 });
  return (await page.textContent('[data-testid="import-summary"]')) ?? '';
}

describe('exported records imported back change nothing (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;

  before(async () => {
    server = await startConsoleServer();
    await startWorker();
    browser = await launchChromium();
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  it('penguins (features and tags): the dry run finds nothing to change, apply changes nothing; the same file again is warned about', async () => {
    const name = unique('penguins-round-trip');
    const penguins = loadPenguins();
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'tabular-classification',
        labels: [...new Set(penguins.map((p) => p.label))].sort(),
        featureSchema: PENGUIN_FEATURES,
      },
      // Tags that hold either separator survive only as the JSON cell the export writes.
      penguins.map((p, i) => ({ ...p, text: null, tags: i % 3 === 0 ? ['checked', 'field; note', 'a|b'] : [] })),
    );
    const datasetId = (await Dataset.findOne({ where: { name } }))!.id;
    const before = await recordsOf(datasetId);
    const manager = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, manager.email, TEST_PASSWORD);

    const csv = await exportCsv(page, server.baseUrl, datasetId);
    assert.match(
      await dryRun(page, server.baseUrl, datasetId, csv),
      /344 rows: 0 to insert, 0 to update, 344 unchanged, 0 invalid/,
    );
    assert.equal(await page.inputValue('[data-testid="map-features"]'), 'features');
    assert.equal(await page.inputValue('[data-testid="map-tags"]'), 'tags');
    assert.equal(await page.inputValue('[data-testid="map-predictedLabel"]'), 'ignore');
    assert.equal(await page.locator('[data-testid="import-duplicate"]').count(), 0, 'not imported before');
    await page.click('[data-testid="import-apply"]');
    await page.waitForSelector('[data-testid="import-result"]', { timeout: 60_000 });
    assert.match(
      (await page.textContent('[data-testid="import-result"]')) ?? '',
      /Imported 0 new and updated 0 records; 344 already had these values/,
    );
    assert.deepEqual(await recordsOf(datasetId), before, 'not a value changed, not even updatedAt');
    assert.equal(
      await page.locator('[data-testid="import-result"] [data-testid="job-revert-link"]').count(),
      0,
      'nothing to revert',
    );

    // The same file again: warned (when, by whom) at upload and in the dry run; applied only when asked for.
    const again = await dryRun(page, server.baseUrl, datasetId, csv);
    assert.match(again, /0 to insert, 0 to update, 344 unchanged/);
    const warning = (await page.textContent('[data-testid="import-duplicate"]')) ?? '';
    assert.match(
      warning,
      new RegExp(
        `"export.csv" was imported into ${name} on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC by ${manager.email}`,
      ),
    );
    assert.equal(
      await page.isDisabled('[data-testid="import-apply"]'),
      true,
      'not until "Import this file again" is ticked',
    );
    await page.check('[data-testid="import-again"]');
    await page.click('[data-testid="import-apply"]');
    await page.waitForSelector('[data-testid="import-result"]', { timeout: 60_000 });
    assert.deepEqual(await recordsOf(datasetId), before);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('text records (commas, quotes, line breaks, formula-like starts, tags) come back unchanged', async () => {
    const name = unique('text-round-trip');
    const texts = [
      'Hello, "friend"\nSecond line\r\nThird, with a comma',
      '=HYPERLINK("http://example.com")',
      '-- a signature line',
      "'quoted already",
      '+44 20 7946 0000 call now',
      '@channel see this',
      '  leading spaces kept  ',
    ];
    await insertDataset(
      { type: 'system' },
      { name, task: 'text-classification', labels: ['ham', 'spam'], featureSchema: [] },
      texts.map((text, i) => ({
        text,
        features: null,
        label: i % 2 ? 'spam' : 'ham',
        split: 'train' as const,
        tags: i % 2 ? ['=sum', 'x;y'] : [],
        source: i === 3 ? '-source' : null,
      })),
    );
    const datasetId = (await Dataset.findOne({ where: { name } }))!.id;
    const before = await recordsOf(datasetId);
    const manager = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInByPost(page, server.baseUrl, manager.email, TEST_PASSWORD);
    const csv = await exportCsv(page, server.baseUrl, datasetId);
    assert.match(csv.toString('utf8'), /"'=HYPERLINK/, 'a formula-like cell is escaped for spreadsheets');
    assert.match(
      await dryRun(page, server.baseUrl, datasetId, csv),
      /7 rows: 0 to insert, 0 to update, 7 unchanged, 0 invalid/,
    );
    await page.click('[data-testid="import-apply"]');
    await page.waitForSelector('[data-testid="import-result"]', { timeout: 60_000 });
    assert.deepEqual(await recordsOf(datasetId), before);
    await page.close();
  });
});

async function recordsOf(datasetId: number) {
  const rows = await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] });
  return rows.map((r) => r.get({ plain: true }) as Record<string, unknown>);
}
