import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Op } from 'sequelize';
import { AuditEvent, Job } from '../../models/index.js';
import type { JobKind } from '../../models/enums.js';
import type { Actor } from '../../src/access/actor.js';
import { createApiKey } from '../../src/auth/api-keys/create-api-key.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

type User = Actor & { type: 'user'; email: string; id: number };

/** A finished job row as the worker leaves it (the hubs only read jobs: no worker needed). */
const finishedJob = (kind: JobKind, params: Record<string, unknown>, createdById: number) =>
  Job.create({
    kind,
    params,
    status: 'succeeded',
    progressTotal: 10,
    progressDone: 10,
    checkpoint: null,
    result: null,
    error: null,
    lockedBy: null,
    heartbeatAt: null,
    startedAt: new Date(),
    finishedAt: new Date(),
    createdById,
  });

describe('hubs: the model, dataset and user pages in Chromium, per role', () => {
  let server: RunningConsole;
  let browser: Browser;
  let admin: User;
  let scientist: User;
  let manager: User;
  let auditor: User;
  let modelId: number;
  let datasetId: number;
  let v2: number;
  let scientistJob: number;
  let adminJob: number;
  let managerImport: number;
  let adminImport: number;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    admin = { type: 'user', ...(await createTestUser('admin')) };
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    auditor = { type: 'user', ...(await createTestUser('auditor')) };
    const model = await createPenguinModel('hubs-e2e');
    modelId = model.id;
    datasetId = model.datasetId;
    const v1 = (await trainModel(scientist, { model: model.name, maxIterations: 5 })).version.id;
    v2 = (await trainModel(admin, { model: model.name, maxIterations: 8 })).version.id;
    await promoteAlias(scientist, { versionId: v1, alias: 'production' });
    await promoteAlias(admin, { versionId: v2, alias: 'production' });
    scientistJob = Number((await finishedJob('train', { model: model.name }, scientist.id)).id);
    adminJob = Number((await finishedJob('score', { model: model.name, datasetId }, admin.id)).id);
    managerImport = Number((await finishedJob('import', { datasetId, mode: 'apply' }, manager.id)).id);
    adminImport = Number((await finishedJob('import', { datasetId, mode: 'dry-run' }, admin.id)).id);
    await createApiKey(admin, { ownerEmail: scientist.email, name: 'hubs e2e', scopes: ['predict', 'records:read'] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A signed-in page that records every console API answer of 400 or more and every script error. */
  async function pageAs(user: User): Promise<{ page: Page; failures: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(`script error: ${error.message}`));
    page.on('response', (response) => {
      if (response.url().includes('/admin/api/') && response.status() >= 400)
        failures.push(`${response.status()} ${response.url()}`);
    });
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    return { page, failures };
  }

  const text = async (page: Page, selector: string) => (await page.textContent(selector)) ?? '';

  async function assertNoDenials(user: User, since: Date) {
    const denied = await AuditEvent.count({
      where: { actorType: 'user', actorId: String(user.id), outcome: 'denied', at: { [Op.gte]: since } },
    });
    assert.equal(denied, 0, `${user.role} caused ${denied} denied events`);
  }

  it('shows an admin the model’s versions, aliases, jobs and actions, people by email', async () => {
    const since = new Date();
    const { page, failures } = await pageAs(admin);
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/show`);
    await page.waitForSelector('[data-testid="hub-version-2"]');
    const v2Row = await text(page, '[data-testid="hub-version-2"]');
    assert.match(v2Row, /v2/);
    assert.match(v2Row, /from v1/);
    assert.match(v2Row, /production/);
    assert.match(v2Row, /\d+\.\d%/);
    assert.match(v2Row, new RegExp(admin.email.replace('.', '\\.')));
    assert.match(v2Row, /hubs-e2e-penguins-[\d-]+, train split/);
    assert.match(await text(page, '[data-testid="hub-version-1"]'), new RegExp(scientist.email.replace('.', '\\.')));
    const production = await text(page, '[data-testid="hub-alias-production"]');
    assert.match(production, /Promoted v1 → v2 by/);
    assert.ok(await page.$('[data-testid="hub-rollback-production"]'), 'a roll-back is offered');
    assert.ok(await page.$('[data-testid="hub-promote-1"]'), 'each version can be promoted');
    assert.ok(await page.$(`[data-testid="hub-job-${scientistJob}"]`));
    assert.ok(await page.$(`[data-testid="hub-job-${adminJob}"]`));
    assert.match(await text(page, `[data-testid="hub-job-${adminJob}"]`), /Succeeded/);
    assert.match(await text(page, '[data-testid="hub-jobs"] h4'), /^Recent jobs$/);

    // "Trained on" opens the dataset's records of the training split.
    await page.click('[data-testid="hub-version-1"] a[href*="/admin/resources/records?"]');
    await page.waitForSelector('tbody tr[data-id]');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('filters.datasetId'), String(datasetId));
    assert.equal(url.searchParams.get('filters.split'), 'train');
    assert.deepEqual(failures, []);
    await assertNoDenials(admin, since);
    await page.close();
  });

  it('shows a data scientist the versions and only their own jobs, other people as “another user”, without a users call', async () => {
    const since = new Date();
    const { page, failures } = await pageAs(scientist);
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/show`);
    await page.waitForSelector('[data-testid="hub-jobs"]');
    assert.match(await text(page, '[data-testid="hub-jobs"] h4'), /Your recent jobs/);
    assert.ok(await page.$(`[data-testid="hub-job-${scientistJob}"]`));
    assert.equal(await page.$(`[data-testid="hub-job-${adminJob}"]`), null, 'someone else’s job is not shown');
    assert.match(await text(page, '[data-testid="hub-version-2"]'), /another user/);
    assert.match(await text(page, '[data-testid="hub-version-1"]'), new RegExp(scientist.email.replace('.', '\\.')));

    // The versions list: accuracy and aliases columns, "model vN" names, people by name, never an id.
    await page.goto(`${server.baseUrl}/admin/resources/modelVersions?filters.modelId=${modelId}`);
    await page.waitForSelector(`tr[data-id="${v2}"]`);
    const row = await text(page, `tr[data-id="${v2}"]`);
    assert.match(row, /hubs-e2e-species-[\d-]+ v2/);
    assert.match(row, /\d+\.\d%/);
    assert.match(row, /production/);
    assert.equal(await text(page, `tr[data-id="${v2}"] [data-testid="person-createdById"]`), 'another user');
    assert.doesNotMatch(await page.content(), new RegExp(admin.email.replace('.', '\\.')), 'no one else’s email');

    // Their own API key: scopes by name.
    await page.goto(`${server.baseUrl}/admin/resources/apiKeys`);
    await page.waitForSelector('[data-testid="badges-scopes"]');
    assert.equal(await text(page, 'tbody tr [data-testid="badges-scopes"]'), 'predictrecords:read');
    assert.doesNotMatch(await text(page, 'tbody'), /Length:/);
    assert.deepEqual(failures, []);
    await assertNoDenials(scientist, since);
    await page.close();
  });

  it('shows a content manager the dataset’s counts, their own imports and no models section', async () => {
    const since = new Date();
    const { page, failures } = await pageAs(manager);
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${datasetId}/show`);
    await page.waitForSelector('[data-testid="hub-counts-table"]');
    assert.match(await text(page, '[data-testid="hub-records"] h4'), /Records \(344\)/);
    assert.match(await text(page, '[data-testid="hub-count-Adelie"]'), /Adelie/);
    assert.equal(await page.$('[data-testid="hub-models"]'), null, 'content managers may not list models');
    assert.match(await text(page, '[data-testid="hub-imports"] h4'), /Your recent imports/);
    assert.ok(await page.$(`[data-testid="hub-job-${managerImport}"]`));
    assert.equal(await page.$(`[data-testid="hub-job-${adminImport}"]`), null);
    assert.match(await text(page, '[data-testid="badges-labels"]'), /AdelieChinstrapGentoo/);
    assert.deepEqual(failures, []);
    await assertNoDenials(manager, since);

    // A count opens exactly those records (the records list's own calls are another page's concern).
    await page.click('[data-testid="hub-count-Gentoo"] td:nth-child(2) a');
    await page.waitForSelector('tbody tr[data-id]');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('filters.label'), 'Gentoo');
    assert.equal(url.searchParams.get('filters.split'), 'train');
    assert.equal(url.searchParams.get('filters.datasetId'), String(datasetId));
    await page.close();
  });

  it('shows an auditor every import, the models on the dataset, and read-only model and user pages', async () => {
    const since = new Date();
    const { page, failures } = await pageAs(auditor);
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${datasetId}/show`);
    await page.waitForSelector('[data-testid="hub-models"]');
    assert.match(await text(page, '[data-testid="hub-models"]'), /hubs-e2e-species-[\d-]+\s*v2/);
    assert.ok(await page.$(`[data-testid="hub-job-${adminImport}"]`));
    assert.ok(await page.$(`[data-testid="hub-job-${managerImport}"]`));

    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/show`);
    await page.waitForSelector('[data-testid="hub-version-2"]');
    assert.equal(await page.$('[data-testid="hub-promote-2"]'), null, 'auditors may not promote');
    assert.equal(await page.$('[data-testid="hub-rollback-production"]'), null, 'auditors may not roll back');
    assert.match(await text(page, '[data-testid="hub-jobs"] h4'), /^Recent jobs$/);

    // Compare: confusion matrices say which axis is which.
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/compare`);
    await page.waitForSelector('[data-testid="confusion-v2"]');
    const header = await page.$$eval('[data-testid="confusion-v2"] thead td', (cells) =>
      cells.map((c) => c.textContent),
    );
    assert.deepEqual(header, ['Actual \\ Predicted', 'Adelie', 'Chinstrap', 'Gentoo']);

    // The user page: their latest actions, newest first, each opening its event.
    await page.goto(`${server.baseUrl}/admin/resources/users/records/${admin.id}/show`);
    await page.waitForSelector('[data-testid="user-activity"] tbody tr');
    const latest = await AuditEvent.findOne({
      where: { actorType: 'user', actorId: String(admin.id) },
      order: [['seq', 'DESC']],
    });
    const first = page.locator('[data-testid="user-activity"] tbody tr').first();
    assert.equal(await first.getAttribute('data-testid'), `activity-${latest!.seq}`);
    await first.locator('a').first().click();
    await page.waitForURL(new RegExp(`/auditEvents/records/${latest!.seq}/show`));
    assert.deepEqual(failures, []);
    await assertNoDenials(auditor, since);
    await page.close();
  });
});
