import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Job } from '../../models/index.js';
import { enqueueJob } from '../../src/jobs/enqueue-job.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

/**
 * A job's page says one thing about it: the Status field and the live progress agree as the job
 * moves (queued → running → succeeded), training counts solver iterations and scoring counts records. The worker
 * is played by updating the job row, as run-worker.ts does, so each state is seen for certain.
 */
describe('the job page: status and progress agree (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let page: Page;
  let admin: { id: number; email: string };

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    admin = await createTestUser('admin');
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInByPost(page, server.baseUrl, admin.email, TEST_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const actor = () => ({ type: 'user', id: admin.id, email: admin.email, role: 'admin' }) as const;
  const statusField = () => page.locator('[data-testid="property-show-status"]');
  const progress = () => page.getByTestId('job-progress-text');

  it('follows a training job from queued to running (iterations) to succeeded, the Status field with it', async () => {
    const model = await createPenguinModel('job-page');
    const job = await enqueueJob(actor(), 'train', { model: model.name });
    await page.goto(`${server.baseUrl}/admin/resources/jobs/records/${job.id}/show`);
    await page.waitForSelector('[data-testid="job-progress"][data-status="queued"]');
    assert.equal(await progress().innerText(), 'Queued: waiting for a worker to pick it up');
    assert.match(await statusField().innerText(), /Queued/);

    await Job.update(
      { status: 'running', startedAt: new Date(), phase: 'training', progressDone: 3, progressTotal: 8 },
      { where: { id: job.id } },
    );
    await page.waitForSelector('[data-testid="job-progress"][data-status="running"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="property-show-status"]')?.textContent?.includes('Running') === true,
    );
    assert.equal(await progress().innerText(), 'Running: training, iteration 3 of at most 8');
    assert.doesNotMatch(await page.getByTestId('job-progress').innerText(), /rows\/s/);

    await Job.update(
      { status: 'succeeded', finishedAt: new Date(), phase: null, progressDone: 8 },
      { where: { id: job.id } },
    );
    await page.waitForSelector('[data-testid="job-progress"][data-status="succeeded"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="property-show-status"]')?.textContent?.includes('Succeeded') === true,
    );
    assert.equal(await progress().innerText(), 'Succeeded');
  });

  it('counts records for a scoring job and says when a cancelled run is stopping', async () => {
    const model = await createPenguinModel('job-page-score');
    const job = await enqueueJob(actor(), 'score', { model: model.name, version: 1 });
    await Job.update(
      { status: 'running', startedAt: new Date(), phase: 'scoring', progressDone: 1200, progressTotal: 6046 },
      { where: { id: job.id } },
    );
    await page.goto(`${server.baseUrl}/admin/resources/jobs/records/${job.id}/show`);
    await page.waitForSelector('[data-testid="job-progress"][data-status="running"]');
    assert.equal(await progress().innerText(), 'Running: scoring, 1,200 of 6,046 records');
    assert.match(await statusField().innerText(), /Running/);
    await Job.update({ cancelRequested: true, progressDone: 2400 }, { where: { id: job.id } });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="job-progress-text"]')?.textContent ===
        'Stopping at its next step: scoring, 2,400 of 6,046 records',
    );
    await page.waitForSelector('[data-testid="job-rate"]');
    assert.match(await page.getByTestId('job-rate').innerText(), /^[\d,]+ rows\/s/);
  });
});
