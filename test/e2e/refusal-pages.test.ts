import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { DataRecord, Dataset } from '../../models/index.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { unique } from '../support/database.js';

/**
 * What a person reads when the console refuses them: one sentence naming their role in words, the
 * action in plain English and whom to ask — never "The your role", "may not new", "may not bulkEdit".
 */
describe('refusals in the console read as sentences that say what to do (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let recordId: number;

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    const dataset = await Dataset.create({
      name: unique('refusals'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    recordId = (
      await DataRecord.create({ datasetId: dataset.id, text: 'hello', features: null, label: 'ham', source: null })
    ).id;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const refusalOn = async (page: Page, path: string): Promise<string> => {
    const response = await page.goto(`${server.baseUrl}${path}`);
    assert.equal(response?.status(), 403, path);
    assert.equal(await page.title(), 'Not allowed · ModelDesk');
    return (await page.locator('p').first().innerText()).trim();
  };

  it('tells a data scientist whom to ask to create records or delete them in bulk', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    assert.equal(
      await refusalOn(page, '/admin/resources/records/actions/new'),
      'Your role (data scientist) may not create records; ask a content manager or an admin.',
    );
    assert.equal(
      await refusalOn(page, `/admin/resources/records/bulk/bulkDelete?recordIds=${recordId}`),
      'Your role (data scientist) may not delete records in bulk; ask a content manager or an admin.',
    );
    await page.close();
  });

  it("tells an auditor whom to ask to edit a record, in the API's words too", async () => {
    const user = await createTestUser('auditor');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    const message = await refusalOn(page, `/admin/resources/records/records/${recordId}/edit`);
    assert.equal(
      message,
      'Your role (auditor) may not edit records; ask a data scientist, a content manager or an admin.',
    );
    assert.doesNotMatch(message, /The your|may not new|bulkEdit|_/);
    // The REST API answers the same sentence (session caller).
    const api = await page.request.patch(`${server.baseUrl}/api/v1/records/${recordId}`, {
      data: { label: 'spam' },
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(api.status(), 403);
    const body = (await api.json()) as { detail?: string };
    assert.doesNotMatch(body.detail ?? '', /The your|may not new|bulkEdit/);
    await page.close();
  });
});
