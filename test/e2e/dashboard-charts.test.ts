import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { sequelizeOf } from '../../models/index.js';
import { RequestStats } from '../../src/monitoring/request-stats.js';
import { launchChromium, signIn } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

describe('the dashboard\'s operations charts, by role (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const stats = new RequestStats(sequelizeOf());
    for (let i = 0; i < 40; i += 1) stats.record('console', i === 0 ? 500 : 200, 8);
    await stats.stop();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows an admin traffic with its error rate, latency per version and job outcomes', async () => {
    const admin = await createTestUser('admin');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signIn(page, server.baseUrl, admin.email, TEST_PASSWORD);
    await page.waitForSelector('[data-testid="operations-charts"]');
    assert.ok(await page.$('[data-testid="chart-requests"] canvas'), 'the requests chart is drawn');
    assert.ok(await page.$('[data-testid="chart-latency"]'));
    assert.ok(await page.$('[data-testid="chart-jobs"]'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a data scientist their own job outcomes, and a content manager no operations charts', async () => {
    const scientist = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signIn(page, server.baseUrl, scientist.email, TEST_PASSWORD);
    await page.waitForSelector('[data-testid="chart-jobs"]');
    assert.match((await page.textContent('[data-testid="chart-jobs"]')) ?? '', /your jobs/);
    await page.close();

    const manager = await createTestUser('content_manager');
    const other = await browser.newPage();
    await signIn(other, server.baseUrl, manager.email, TEST_PASSWORD);
    await other.waitForSelector('[data-testid^="tile-"]');
    assert.equal(await other.$('[data-testid="operations-charts"]'), null);
    await other.close();
  });
});
