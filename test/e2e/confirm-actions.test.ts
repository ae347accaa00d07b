import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ApiKey, Job, ModelAlias } from '../../models/index.js';
import { createApiKey } from '../../src/auth/api-keys/create-api-key.js';
import { enqueueJob } from '../../src/jobs/enqueue-job.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { launchChromium, signInByPost } from '../support/browser.js';
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
    await signInByPost(page, server.baseUrl, admin.email, TEST_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens the confirmation page, checks its title and text, and presses its (capitalised) button. */
  const confirm = async (url: string, title: string, text: RegExp, button: string) => {
    await page.goto(`${server.baseUrl}${url}`);
    const box = page.getByTestId('confirm-action');
    await box.waitFor();
    assert.equal(await page.getByTestId('confirm-action-title').innerText(), title);
    assert.match(await box.innerText(), text);
    const submit = page.getByTestId('confirm-action-submit');
    assert.equal((await submit.innerText()).trim(), button);
    await submit.click();
  };

  it('revokes an API key from its confirmation page', async () => {
    const { apiKey } = await createApiKey(
      { type: 'system' },
      { ownerEmail: admin.email, name: 'to revoke', scopes: ['predict'], rateLimit: null, expiresAt: null },
    );
    await confirm(
      `/admin/resources/apiKeys/records/${apiKey.id}/revoke`,
      `Revoke: ${apiKey.name}`,
      /Every client using it is refused/,
      'Revoke',
    );
    await page.getByText(`API key ${apiKey.prefix} is revoked.`).waitFor();
    await page.waitForFunction((id) => location.pathname.endsWith(`/apiKeys/records/${id}/show`), apiKey.id);
    assert.ok((await ApiKey.findByPk(apiKey.id))?.revokedAt, 'revoked in the database');
  });

  it('cancels a queued job from a page naming the job, its kind and its model', async () => {
    const model = await createPenguinModel('confirm-cancel');
    const job = await enqueueJob({ type: 'user', id: admin.id, email: admin.email, role: 'admin' }, 'train', {
      model: model.name,
    });
    await confirm(
      `/admin/resources/jobs/records/${job.id}/cancel`,
      `Cancel job #${job.id} (train ${model.name})`,
      /It has not started yet: it is taken off the queue and never runs\./,
      `Cancel job #${job.id}`,
    );
    await page.getByText(`Job #${job.id} cancelled.`).waitFor();
    assert.equal((await Job.findByPk(job.id))?.status, 'cancelled');
  });

  it('says which version a roll-back returns to, then rolls the alias back', async () => {
    const model = await createPenguinModel('confirm-rollback');
    const system = { type: 'system' } as const;
    const v1 = (await trainModel(system, { model: model.name, maxIterations: 3 })).version;
    const v2 = (await trainModel(system, { model: model.name, maxIterations: 3 })).version;
    await promoteAlias(system, { versionId: v1.id, alias: 'production' });
    await promoteAlias(system, { versionId: v2.id, alias: 'production' });
    const alias = (await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } }))!;
    await confirm(
      `/admin/resources/modelAliases/records/${alias.id}/rollback`,
      'Roll production back from v2 to v1',
      new RegExp(`${model.name}'s "production" serves v2 now; after this it serves v1 again`),
      'Roll back to v1',
    );
    await page.getByText(`${model.name}: "production" rolled back from v2 to v1.`).waitFor();
    assert.equal((await alias.reload()).versionId, v1.id);

    // Nothing earlier to go back to: the page says so and offers no button.
    await page.goto(`${server.baseUrl}/admin/resources/modelAliases/records/${alias.id}/rollback`);
    await page.getByTestId('confirm-action-problem').waitFor();
    assert.match(
      await page.getByTestId('confirm-action-problem').innerText(),
      /"production" has no earlier version to roll back to: promote a version instead\./,
    );
    assert.equal(await page.getByTestId('confirm-action-submit').count(), 0);
  });
});
