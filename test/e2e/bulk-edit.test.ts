import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { AuditEvent, DataRecord } from '../../models/index.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

describe('a content manager edits records in bulk, and an auditor sees what changed (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let ids: number[];

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const { datasetId } = await createPenguinModel('bulk-e2e');
    ids = (await DataRecord.findAll({ where: { datasetId, label: 'Adelie' }, order: [['id', 'ASC']], limit: 3 })).map(
      (r) => r.id,
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("previews the selection with the dataset's labels to choose from, then applies", async () => {
    const manager = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, manager.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/records/bulk/bulkEdit?recordIds=${ids.join(',')}`);
    await page.waitForSelector('[data-testid="bulk-edit"]');
    assert.match((await page.textContent('[data-testid="bulk-edit"] h3')) ?? '', /Edit 3 selected records/);

    // The label is chosen from the dataset's own labels: a label it lacks cannot be entered.
    await page.waitForSelector('select#label option[value="Chinstrap"]', { state: 'attached' });
    assert.deepEqual(await page.locator('select#label option').allInnerTexts(), [
      'Leave labels as they are',
      'Adelie',
      'Chinstrap',
      'Gentoo',
    ]);
    assert.equal(await page.isDisabled('[data-testid="bulk-apply"]'), true);

    await page.selectOption('select#label', 'Chinstrap');
    await page.fill('#addTags', 'reviewed');
    await page.click('[data-testid="bulk-preview-button"]');
    await page.waitForSelector('[data-testid="bulk-preview"]:not(:has([data-testid="bulk-invalid"]))');
    assert.equal(await page.textContent('[data-testid="bulk-preview-summary"]'), '3 records will change.');
    await page.click('[data-testid="bulk-apply"]');
    await page.waitForURL(/\/admin\/resources\/records(\?|$)/);
    assert.equal(await DataRecord.count({ where: { id: ids, label: 'Chinstrap' } }), 3);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('lets an auditor see, record by record, what the bulk edit changed', async () => {
    const event = (await AuditEvent.findOne({
      where: { action: 'records.bulk_update', outcome: 'success' },
      order: [['seq', 'DESC']],
    }))!;
    const auditor = await createTestUser('auditor');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signInByPost(page, server.baseUrl, auditor.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/auditEvents/records/${event.seq}/show`);
    await page.waitForSelector('[data-testid="change-set-table"] tbody tr');
    const rows = page.locator('[data-testid="change-set-table"] tbody tr');
    assert.equal(await rows.count(), 6, 'label and tags for each of the 3 records');
    for (const id of ids) {
      const label = page.locator(`[data-testid="change-set-table"] tr[data-record="${id}"][data-field="label"]`);
      assert.match((await label.innerText()).replace(/\s+/g, ' ').trim(), new RegExp(`^${id} label Adelie Chinstrap$`));
      const tags = page.locator(`[data-testid="change-set-table"] tr[data-record="${id}"][data-field="tags"]`);
      assert.match(await tags.innerText(), /reviewed/);
    }
    await page.close();
  });
});
