import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ApiKey, Job } from '../../models/index.js';
import { createApiKey } from '../../src/auth/api-keys/create-api-key.js';
import { enqueueJob } from '../../src/jobs/enqueue-job.js';
import { launchChromium, signIn } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

/**
 * Actions that change something and ask nothing else (revoke a key, cancel a job) open a confirmation
 * page that POSTs: AdminJS sends a plain action button as a GET, which must not change data.
 */
describe('confirming an action in the console sends it as a POST (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let page: Page;
  let admin: { id: number; email: string };

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    admin = await createTestUser('admin');
    page = await browser.newPage();
    await signIn(page, server.baseUrl, admin.email, TEST_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const confirm = async (url: string, question: RegExp) => {
    await page.goto(`${server.baseUrl}${url}`);
    const box = page.getByTestId('confirm-action');
    await box.waitFor();
    assert.match(await box.innerText(), question);
    await page.getByTestId('confirm-action-submit').click();
  };

  it('revokes an API key from its confirmation page', async () => {
    const { apiKey } = await createApiKey(
      { type: 'system' },
      { ownerEmail: admin.email, name: 'to revoke', scopes: ['predict'], rateLimit: null, expiresAt: null },
    );
    await confirm(`/admin/resources/apiKeys/records/${apiKey.id}/revoke`, /Every client using it is refused/);
    await page.getByText(`API key ${apiKey.prefix} is revoked.`).waitFor();
    await page.waitForFunction((id) => location.pathname.endsWith(`/apiKeys/records/${id}/show`), apiKey.id);
    assert.ok((await ApiKey.findByPk(apiKey.id))?.revokedAt, 'revoked in the database');
  });

  it('cancels a queued job from its confirmation page', async () => {
    const model = await createPenguinModel('confirm-cancel');
    const job = await enqueueJob({ type: 'user', id: admin.id, email: admin.email, role: 'admin' }, 'train', {
      model: model.name,
    });
    await confirm(`/admin/resources/jobs/records/${job.id}/cancel`, /Cancel this job\?/);
    await page.getByText(`Job ${job.id} cancelled.`).waitFor();
    assert.equal((await Job.findByPk(job.id))?.status, 'cancelled');
  });
});
