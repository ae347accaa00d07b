import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ReviewQueue, type ModelVersion } from '../../models/index.js';
import { startQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { trainModel } from '../../src/ml/train-model.js';
import { testDatabaseUrl } from '../setup/hooks.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { waitForJob } from '../support/jobs.js';
import { createPenguinModel } from '../support/penguin-model.js';
import { scoreAllBy } from '../support/review-queues.js';

describe('a data scientist builds a review queue from the dataset and version pages (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let datasetId: number;
  let version: ModelVersion;

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    await startQueue(testDatabaseUrl());
    await startWorker();
    browser = await launchChromium();
    const model = await createPenguinModel('review-e2e');
    datasetId = model.datasetId;
    version = (await trainModel({ type: 'system' }, { model: model.name, maxIterations: 5 })).version;
    await scoreAllBy(version, datasetId, 'Adelie');
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  const open = async (role: 'data_scientist' | 'content_manager'): Promise<{ page: Page; errors: string[] }> => {
    const user = await createTestUser(role);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    return { page, errors };
  };

  it('opens the form from the dataset page with the dataset and the scored version chosen, builds the queue and shows its progress', async () => {
    const { page, errors } = await open('data_scientist');
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${datasetId}/show`);
    await page.click('[data-testid="new-review-queue"]');
    await page.waitForSelector('[data-testid="review-queue-form"] select#modelVersionId');
    assert.equal(await page.inputValue('select#datasetId'), String(datasetId));
    assert.equal(await page.inputValue('select#modelVersionId'), String(version.id));
    await page.selectOption('select#strategy', 'highest_entropy');
    await page.selectOption('select#split', 'train');
    await page.fill('input#size', '20');
    await page.click('[data-testid="review-queue-create"]');
    await page.waitForURL(/\/admin\/resources\/reviewQueues\/records\/\d+\/show/);
    const queueId = Number(/records\/(\d+)\/show/.exec(page.url())![1]);
    const queue = (await ReviewQueue.findByPk(queueId))!;
    assert.equal(queue.strategy, 'highest_entropy');
    assert.deepEqual(queue.filter, { split: 'train', dedupe: 'exact' });
    assert.equal((await waitForJob(Number(queue.jobId))).status, 'succeeded');
    await page.reload();
    await page.waitForSelector('[data-testid="review-queue-progress"]');
    assert.match((await page.textContent('[data-testid="review-queue-progress"]')) ?? '', /0 of 20 done/);
    assert.deepEqual(errors, []);
  });

  it("opens the form from a version's page with that version chosen", async () => {
    const { page, errors } = await open('data_scientist');
    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${version.id}/show`);
    await page.click('[data-testid="new-review-queue"]');
    await page.waitForSelector('[data-testid="review-queue-form"] select#modelVersionId');
    assert.equal(await page.inputValue('select#modelVersionId'), String(version.id));
    await page.selectOption('select#strategy', 'drift');
    await page.selectOption('select#sliceFeature', 'island');
    await page.selectOption('select#sliceValue', 'Dream');
    await page.click('[data-testid="review-queue-create"]');
    await page.waitForURL(/\/admin\/resources\/reviewQueues\/records\/\d+\/show/);
    const queue = (await ReviewQueue.findByPk(Number(/records\/(\d+)\/show/.exec(page.url())![1])))!;
    assert.deepEqual(queue.filter, { dedupe: 'exact', slice: { feature: 'island', value: 'Dream' } });
    assert.deepEqual(errors, []);
  });

  it('shows a content manager the queues of a dataset but no way to build one', async () => {
    const { page } = await open('content_manager');
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${datasetId}/show`);
    await page.waitForSelector('[data-testid="review-queue-links"]');
    assert.equal(await page.locator('[data-testid="new-review-queue"]').count(), 0);
  });
});
