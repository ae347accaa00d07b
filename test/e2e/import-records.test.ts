import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { AuditEvent, DataRecord, Dataset } from '../../models/index.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { unique } from '../support/database.js';

describe('a content manager imports records from a CSV file (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let datasetId: number;

  before(async () => {
    server = await startConsoleServer();
    await startWorker();
    browser = await launchChromium();
    const name = unique('import-e2e');
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'tabular-classification',
        labels: ['Adelie', 'Gentoo'],
        featureSchema: [
          { name: 'length', type: 'number' },
          { name: 'island', type: 'category', categories: ['biscoe', 'dream'] },
        ],
        description: null,
        source: null,
        license: null,
      },
      [
        {
          text: null,
          features: { length: 40, island: 'dream' },
          label: 'Adelie',
          split: 'train',
          tags: [],
          source: null,
        },
      ],
    );
    datasetId = (await Dataset.findOne({ where: { name } }))!.id;
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  it('uploads, maps a column, sees the bad row in the dry run, skips it and applies', async () => {
    const manager = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, manager.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${datasetId}/importCsv`);
    await page.waitForSelector('[data-testid="import-form"]');

    const csv = 'length,island,species\n41.5,biscoe,Gentoo\n39,mars,Adelie\n45.2,dream,Adelie\n';
    await page.setInputFiles('[data-testid="import-file"]', {
      name: 'penguins.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.click('[data-testid="import-upload"]');
    await page.waitForSelector('[data-testid="import-mapping"]');
    assert.equal(await page.inputValue('[data-testid="map-length"]'), 'feature:length');
    assert.equal(await page.inputValue('[data-testid="map-species"]'), 'ignore', 'no field is named species');
    await page.selectOption('[data-testid="map-species"]', 'label');

    await page.click('[data-testid="import-dry-run"]');
    await page.waitForSelector('[data-testid="import-summary"]', { timeout: 30_000 });
    assert.match(
      (await page.textContent('[data-testid="import-summary"]')) ?? '',
      /3 rows: 2 to insert, 0 to update, 0 unchanged, 1 invalid/,
    );
    const errorRows = await page.locator('[data-testid="import-error-row"]').allTextContents();
    assert.equal(errorRows.length, 1);
    assert.match(errorRows[0]!, /^3\s*island\s*must be one of biscoe, dream, got "mars"/);
    assert.equal(await page.isDisabled('[data-testid="import-apply"]'), true, 'not while the dry run has errors');

    await page.check('[data-testid="import-skip-invalid"]');
    await page.click('[data-testid="import-apply"]');
    await page.waitForSelector('[data-testid="import-result"]', { timeout: 30_000 });
    assert.match(
      (await page.textContent('[data-testid="import-result"]')) ?? '',
      /Imported 2 new and updated 0 records; 1 invalid rows skipped/,
    );

    const rows = await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] });
    assert.deepEqual(
      rows.map((r) => [r.label, r.features]),
      [
        ['Adelie', { length: 40, island: 'dream' }],
        ['Gentoo', { length: 41.5, island: 'biscoe' }],
        ['Adelie', { length: 45.2, island: 'dream' }],
      ],
    );
    const event = (await AuditEvent.findOne({
      where: { action: 'records.import', outcome: 'success' },
      order: [['seq', 'DESC']],
    }))!;
    assert.equal((event.selection as { fileName: string; inserted: number }).inserted, 2);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
