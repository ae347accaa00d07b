import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { sequelizeOf } from '../../models/index.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { trainModel } from '../../src/ml/train-model.js';
import { RequestStats } from '../../src/monitoring/request-stats.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { queueScoring } from '../../src/scoring/queue-scoring.js';
import { projectRoot } from '../../src/platform/project-root.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { waitForJob } from '../support/jobs.js';
import { createPenguinModel } from '../support/penguin-model.js';

/** Screenshots the tests take, kept for a person to look at (CI keeps the folder as an artefact). */
const ARTEFACTS = path.join(projectRoot, 'test-artefacts');

/** How many pixels of each chart canvas in `scope` are painted (not transparent): a drawn chart has thousands. */
/** The dashboard's section tabs, in order. */
async function tabsOf(page: Page): Promise<Array<string | null>> {
  await page.waitForSelector('[role="tab"]');
  return page.$$eval('[role="tab"]', (els) => els.map((e) => e.getAttribute('data-testid')));
}

async function paintedPixels(page: Page, scopes: string[]): Promise<number[]> {
  return page.$$eval(scopes.map((scope) => `${scope} canvas`).join(', '), (canvases) =>
    (canvases as HTMLCanvasElement[]).map((canvas) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
      return painted;
    }),
  );
}

/** Distinct colours in a PNG, decoded by the browser itself: a blank or single-colour image has one or two. */
async function distinctColours(browser: Browser, png: Buffer): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colours.size;
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

describe('the dashboard per role, and the Charts actions (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let modelId: number;
  let datasetId: number;
  let otherModelId: number;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    await startWorker();
    browser = await launchChromium();
    const stats = new RequestStats(sequelizeOf());
    for (let i = 0; i < 40; i += 1) stats.record('console', i === 0 ? 500 : 200, 8);
    await stats.stop();
    const model = await createPenguinModel('dash-e2e');
    modelId = model.id;
    datasetId = model.datasetId;
    const system = { type: 'system' } as const;
    await trainModel(system, { model: model.name, maxIterations: 5 });
    const second = (await trainModel(system, { model: model.name, maxIterations: 30 })).version;
    await promoteAlias(system, { versionId: second.id, alias: 'production' });
    const { job } = await queueScoring(system, { model: model.name });
    assert.equal((await waitForJob(job.id)).status, 'succeeded');
    otherModelId = (await createPenguinModel('dash-e2e-other')).id;
    fs.mkdirSync(ARTEFACTS, { recursive: true });
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  const open = async (role: 'admin' | 'data_scientist' | 'content_manager' | 'auditor', url = '/admin') => {
    const user = await createTestUser(role);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}${url}`);
    if (url === '/admin') await page.waitForSelector('[data-testid="modeldesk-dashboard"]');
    return { page, errors };
  };

  it('shows a data scientist the model first — metrics per version, score histogram, production evaluation — then the data, as real charts (screenshot kept)', async () => {
    const { page, errors } = await open('data_scientist', `/admin?model=${modelId}&dataset=${datasetId}`);
    await page.waitForSelector('[data-testid="chart-score-histogram"] canvas');
    assert.match((await page.textContent('[data-testid="predicted-labels"]')) ?? '', /^344 records: /);
    assert.ok(
      await page.$('[data-testid="chart-production-evaluation"] [data-testid="confusion-matrix"]'),
      "the production version's confusion matrix",
    );
    // One section at a time, the role's most needed first; the others are a click away.
    assert.equal(await page.$('[data-testid="section-dataset"]'), null);
    await page.click('[data-testid="tab-dataset"]');
    await page.waitForSelector('[data-testid="chart-labels-by-split"] canvas');
    assert.deepEqual(await tabsOf(page), ['tab-model', 'tab-dataset', 'tab-predictions', 'tab-operations']);
    assert.match(page.url(), /section=dataset/, 'the tab is kept in the URL');
    await page.waitForTimeout(200);
    for (const painted of await paintedPixels(page, ['[data-testid="section-dataset"]']))
      assert.ok(painted > 2_000, `a chart canvas has ${painted} painted pixels`);
    await page.click('[data-testid="tab-model"]');
    await page.waitForSelector('[data-testid="chart-score-histogram"] canvas');
    await page.waitForTimeout(200);
    for (const painted of await paintedPixels(page, ['[data-testid="section-model"]']))
      assert.ok(painted > 2_000, `a chart canvas has ${painted} painted pixels`);

    // AdminJS scrolls inside its own container, so the whole dashboard fits only a tall viewport.
    await page.setViewportSize({ width: 1400, height: 3000 });
    await page.waitForTimeout(300);
    const shot = await page.screenshot({ path: path.join(ARTEFACTS, 'dashboard-data-scientist.png') });
    assert.ok((await distinctColours(browser, shot)) > 50, 'the screenshot is not blank');

    // The version picker redraws the histogram for version 1 (which scored nothing) and keeps the choice in the URL.
    await page.selectOption('[data-testid="pick-version"]', '1');
    await page.waitForSelector('[data-testid="chart-score-histogram"] h5:has-text("version 1")');
    assert.match(page.url(), /version=1/);
    assert.match(
      (await page.textContent('[data-testid="chart-score-histogram"]')) ?? '',
      /No records scored by this version yet/,
    );
    await page.selectOption('[data-testid="pick-model"]', String(otherModelId));
    await page.waitForSelector('[data-testid="chart-version-metrics"]:has-text("No versions yet")');
    assert.match(page.url(), new RegExp(`model=${otherModelId}`));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows an admin system health first, then everything, with traffic and job outcomes', async () => {
    const { page, errors } = await open('admin');
    await page.waitForSelector('[data-testid="system-health"]');
    assert.equal(await page.getAttribute('[data-testid="health-migrations"]', 'data-level'), 'ok');
    assert.equal((await tabsOf(page))[0], 'tab-health');
    await page.click('[data-testid="tab-operations"]');
    await page.waitForSelector('[data-testid="operations-charts"]');
    assert.ok(await page.$('[data-testid="chart-requests"] canvas'), 'the requests chart is drawn');
    assert.ok(await page.$('[data-testid="chart-latency"]'));
    assert.ok(await page.$('[data-testid="chart-jobs"]'));
    for (const [tab, id] of [
      ['audit', 'chart-audit-by-action'],
      ['imports', 'table-recent-imports'],
      ['predictions', 'chart-predictions-per-day'],
    ]) {
      await page.click(`[data-testid="tab-${tab}"]`);
      await page.waitForSelector(`[data-testid="${id}"]`);
    }
    // The page is a screen or two, not every chart of every section one under another.
    const height = await page.evaluate(() =>
      Math.max(...Array.from(document.querySelectorAll('*'), (e) => e.scrollHeight)),
    );
    assert.ok(height < 2_500, `the admin's dashboard is ${height} px long`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a content manager records by label and split, recent changes and their imports — no model, audit or health', async () => {
    const { page, errors } = await open('content_manager', `/admin?dataset=${datasetId}`);
    await page.waitForSelector('[data-testid="chart-labels-by-split"] canvas');
    assert.deepEqual(await tabsOf(page), ['tab-dataset', 'tab-imports']);
    assert.ok((await page.$$('[data-testid="table-recent-records"] tbody tr')).length > 0);
    await page.click('[data-testid="tab-imports"]');
    assert.match((await page.textContent('[data-testid="table-recent-imports"]')) ?? '', /Your recent imports/);
    assert.equal(await page.$('[data-testid="operations-charts"]'), null);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows an auditor the audit activity first, by action and by actor', async () => {
    const { page, errors } = await open('auditor');
    await page.waitForSelector('[data-testid="chart-audit-by-action"] canvas');
    assert.equal((await tabsOf(page))[0], 'tab-audit');
    assert.ok(await page.$('[data-testid="chart-audit-by-actor"] canvas'));
    assert.equal(await page.$('[data-testid="system-health"]'), null);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('opens the Charts action of a dataset and of a model with their charts drawn', async () => {
    const { page, errors } = await open('data_scientist', `/admin/resources/datasets/records/${datasetId}/charts`);
    await page.waitForSelector('[data-testid="dataset-charts"] [data-testid="chart-labels-by-split"] canvas');
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/charts`);
    await page.waitForSelector('[data-testid="model-charts"] [data-testid="chart-version-metrics"] canvas');
    await page.waitForSelector('[data-testid="model-charts"] [data-testid="chart-predictions-per-day"] canvas');
    assert.match((await page.textContent('[data-testid="chart-score-histogram"] h5')) ?? '', /version 2/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
