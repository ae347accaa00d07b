import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DataRecord, Dataset } from '../../models/index.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { unique } from '../support/database.js';

describe('deleting records says it is a soft delete; a deleted record says when and by whom (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let datasetId: number;
  let ids: number[];

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const name = unique('delete-e2e');
    await insertDataset(
      { type: 'system' },
      { name, task: 'text-classification', labels: ['ham', 'spam'], featureSchema: [] },
      ['first', 'second', 'third', 'fourth'].map((text) => ({
        text,
        features: null,
        label: 'ham',
        split: 'train' as const,
        tags: [],
      })),
    );
    datasetId = (await Dataset.findOne({ where: { name } }))!.id;
    ids = (await DataRecord.findAll({ where: { datasetId }, order: [['id', 'ASC']] })).map((r) => r.id);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a content manager deletes one record and two in bulk, told before and after that it is a soft delete; the URL then says who deleted it', async () => {
    const manager = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, manager.email, TEST_PASSWORD);

    await page.goto(`${server.baseUrl}/admin/resources/records/records/${ids[0]}/show`);
    await page.click('[data-testid="action-delete"]');
    const guard = page.getByText(/^Delete this record\?/);
    await guard.waitFor();
    assert.match(
      (await guard.textContent()) ?? '',
      /Delete this record\? Deleting only hides a record \(a soft delete\)/,
    );
    await page.getByRole('button', { name: /^confirm$/i }).click();
    await page.waitForSelector('[data-testid="notice-wrapper"]');
    assert.match(
      (await page.textContent('[data-testid="notice-wrapper"]')) ?? '',
      /Record deleted \(a soft delete\): "Deleted records" on Records shows it, and an admin can restore it there/,
    );

    await page.goto(`${server.baseUrl}/admin/resources/records/bulk/bulkDelete?recordIds=${ids[1]},${ids[2]}`);
    await page.waitForSelector('text=These records will be deleted.');
    assert.match(
      (await page.textContent('body')) ?? '',
      /These records will be deleted\. Deleting only hides a record \(a soft delete\)/,
    );
    await page.getByRole('button', { name: /confirm/i }).click();
    await page.waitForSelector('[data-testid="notice-wrapper"]');
    assert.match(
      (await page.textContent('[data-testid="notice-wrapper"]')) ?? '',
      /2 records deleted \(a soft delete\)/,
    );

    await page.goto(`${server.baseUrl}/admin/resources/records/records/${ids[0]}/show`);
    await page.waitForSelector('[data-testid="deleted-record"]');
    assert.match(page.url(), new RegExp(`/admin/resources/records/actions/deleted\\?recordId=${ids[0]}$`));
    assert.match(
      (await page.textContent('[data-testid="deleted-record"] h3')) ?? '',
      new RegExp(`^Record ${ids[0]} was deleted on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC by ${manager.email}$`),
    );
    assert.match(
      (await page.textContent('[data-testid="deleted-record-who-restores"]')) ?? '',
      /Only an admin can restore it/,
    );
    assert.equal(await page.locator('[data-testid="deleted-record-restore"]').count(), 0);
    assert.equal(await page.locator('[data-testid="deleted-records-row"]').count(), 3);
    assert.doesNotMatch((await page.textContent('body')) ?? '', /not found|not authorized/i);
    await page.screenshot({ path: '/tmp/deleted-record-manager.png' });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('an admin opens a deleted record and restores it from there', async () => {
    const admin = await createTestUser('admin');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInByPost(page, server.baseUrl, admin.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${ids[1]}/show`);
    await page.waitForSelector('[data-testid="deleted-record-restore"]');
    await page.click('[data-testid="deleted-record-restore"]');
    await page.waitForURL(new RegExp(`/admin/resources/records/records/${ids[1]}/show`));
    await page.waitForSelector('[data-testid="property-show-text"]');
    assert.equal((await DataRecord.findByPk(ids[1]))?.deletedAt, null);
    await page.close();
  });
});
