import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { Job } from '../../models/index.js';
import { trainModel } from '../../src/ml/train-model.js';
import { C_GRID } from '../../src/ml/search/cross-validate.js';
import { createPenguinModel } from '../support/penguin-model.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

describe('hyperparameters chosen by cross-validation, in the browser: the Retrain checkbox and the version page', () => {
  let server: RunningConsole;
  let browser: Browser;
  let modelId: number;
  let versionId: number;
  let chosenC: number;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    const model = await createPenguinModel('e2e-search');
    modelId = model.id;
    const { version } = await trainModel({ type: 'system' }, { model: model.name, search: true });
    versionId = version.id;
    chosenC = version.hyperparameters.C as number;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the chosen values and every candidate, best first, the chosen row marked', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${versionId}/show`);
    await page.waitForSelector('[data-testid="search-report"]');
    assert.match(
      (await page.textContent('[data-testid="search-chosen"]')) ?? '',
      new RegExp(`^C = ${chosenC}: the lowest mean held-out log loss of ${C_GRID.length} candidates`),
    );
    const rows = await page.$$('[data-testid="search-report"] tbody tr');
    assert.equal(rows.length, C_GRID.length);
    const means = await page.$$eval('[data-testid="search-report"] tbody tr', (trs) =>
      trs.map((tr) => Number(tr.querySelectorAll('td')[1]?.textContent)),
    );
    assert.deepEqual(
      means,
      [...means].sort((a, b) => a - b),
      'best first',
    );
    assert.match((await page.textContent('[data-testid="search-chosen-row"]')) ?? '', /chosen/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('queues a search from the last checkbox of the Retrain form', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/train`);
    await page.waitForSelector('[data-testid="train-form"]');
    await page.click('[data-testid="train-form"] label[for="search"]');
    await page.click('[data-testid="train-submit"]');
    await page.waitForURL(/\/admin\/resources\/jobs\/records\/\d+\/show/);
    const jobId = Number(/jobs\/records\/(\d+)\/show/.exec(page.url())?.[1]);
    assert.equal((await Job.findByPk(jobId))?.params.search, true);
    await page.close();
  });
});
