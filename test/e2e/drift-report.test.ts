import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { AuditEvent, DataRecord, sequelizeOf } from '../../models/index.js';
import { trainModel } from '../../src/ml/train-model.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

describe('drift report in the console (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let page: Page;
  let modelId: number;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    const model = await createPenguinModel('drift-e2e');
    modelId = model.id;
    const { version } = await trainModel({ type: 'system' }, { model: model.name, maxIterations: 10 });
    // Every live bird predicted Gentoo: the predicted labels drift from the training balance.
    const live = await DataRecord.findAll({ where: { datasetId: model.datasetId, split: 'test' } });
    for (const r of live)
      await sequelizeOf().query(
        `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities, margin, entropy)
         VALUES (:id, :v, 'Gentoo', 0.9, '{0.05,0.05,0.9}', 0.85, 0.394)`,
        { replacements: { id: r.id, v: version.id } },
      );
    await sequelizeOf().query(`UPDATE models SET drift_thresholds = '{"minLiveRecords": 10}' WHERE id = :id`, {
      replacements: { id: modelId },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const user = await createTestUser('data_scientist');
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the PSI bars and a feature histogram, names why the version drifted, and offers its slices for review', async () => {
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/drift`);
    await page.waitForSelector('[data-testid="drift-report"]');
    const flag = await page.textContent('[data-testid="drift-flag"]');
    assert.match(flag ?? '', /drifted — .*predicted labels: PSI/);
    assert.equal(await page.locator('[data-testid="chart-drift-psi"] canvas').count(), 1);
    assert.equal(await page.locator('[data-testid="chart-drift-histogram"] canvas').count(), 1);
    assert.equal(await page.locator('[data-testid^="drift-row-"]').count(), 6);
    // One click queues the drifted slice for review: a drift queue over this version, its slice as the filter.
    const button = page.locator('[data-testid^="queue-slice-"]').first();
    const feature = ((await button.getAttribute('data-testid')) ?? '').replace('queue-slice-', '');
    await button.click();
    await page.waitForFunction(() =>
      /Queued "/.test(document.querySelector('[data-testid="drift-message"]')?.textContent ?? ''),
    );
    const [queue] = await sequelizeOf().query<{ strategy: string; filter: { slice?: { feature: string } } }>(
      `SELECT q.strategy, q.filter FROM review_queues q JOIN model_versions v ON v.id = q.model_version_id WHERE v.model_id = :modelId`,
      { replacements: { modelId }, type: QueryTypes.SELECT },
    );
    assert.equal(queue?.strategy, 'drift');
    assert.equal(queue?.filter.slice?.feature, feature);
    await page.goto(`${server.baseUrl}/admin`);
    await page.waitForSelector('[data-testid="drifted-models"]');
    assert.match((await page.textContent('[data-testid="drifted-models"]')) ?? '', /Drifted models/);
    assert.deepEqual(pageErrors, []);
  });

  it('changes a threshold from the Drift page: a wrong value is explained, a saved one re-flags the report', async () => {
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/drift`);
    await page.waitForSelector('[data-testid="drift-thresholds"]');
    assert.equal(await page.inputValue('[data-testid="threshold-psi"]'), '0.2');
    assert.equal(await page.inputValue('[data-testid="threshold-minLiveRecords"]'), '10');
    // Refused by the API's validation, said in words; nothing changes.
    await page.fill('[data-testid="threshold-ks"]', '2');
    await page.click('[data-testid="save-thresholds"]');
    await page.waitForSelector('[data-testid="drift-thresholds-error"]');
    assert.match((await page.textContent('[data-testid="drift-thresholds-error"]')) ?? '', /KS threshold at most 1/);
    // More live records required than there are: the report comes back unflagged.
    await page.fill('[data-testid="threshold-ks"]', '0.1');
    await page.fill('[data-testid="threshold-minLiveRecords"]', '100000');
    await page.click('[data-testid="save-thresholds"]');
    await page.waitForFunction(() =>
      /not enough live data \(\d+ < 100000\)/.test(
        document.querySelector('[data-testid="drift-flag"]')?.textContent ?? '',
      ),
    );
    assert.match((await page.textContent('[data-testid="drift-message"]')) ?? '', /Thresholds saved/);
    const event = await AuditEvent.findOne({
      where: { action: 'models.drift_settings', recordIds: [String(modelId)] },
      order: [['seq', 'DESC']],
    });
    assert.equal(
      (event?.after as { driftThresholds: { minLiveRecords: number } }).driftThresholds.minLiveRecords,
      100000,
    );
    assert.deepEqual(pageErrors, []);
  });

  it('shows no thresholds form to an auditor (who may read the report, not change it)', async () => {
    const auditor = await createTestUser('auditor');
    const other = await (await browser.newContext()).newPage();
    await signInByPost(other, server.baseUrl, auditor.email, TEST_PASSWORD);
    await other.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/drift`);
    await other.waitForSelector('[data-testid="drift-report"]');
    assert.equal(await other.locator('[data-testid="drift-thresholds"]').count(), 0);
    await other.context().close();
  });
});
