import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DataRecord, Job } from '../../models/index.js';
import type { ReviewedReport } from '../../src/ml/reviewed/reviewed-report.js';
import { trainModel } from '../../src/ml/train-model.js';
import { createPenguinModel } from '../support/penguin-model.js';
import { insertReviewQueue } from '../support/reviewed-labels.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

describe('retrain with reviewed records, in the browser: the Retrain form, the version page panel and Compare', () => {
  let server: RunningConsole;
  let browser: Browser;
  let modelId: number;
  let versionId: number;
  let reviewed: ReviewedReport;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    const model = await createPenguinModel('e2e-reviewed');
    modelId = model.id;
    const v1 = (await trainModel({ type: 'system' }, { model: model.name, maxIterations: 30 })).version;
    const train = await DataRecord.findAll({
      where: { datasetId: model.datasetId, split: 'train' },
      order: [['id', 'ASC']],
    });
    await insertReviewQueue(
      model.datasetId,
      v1.id,
      train
        .filter((r, i) => i % 2 === 0 && r.label !== null)
        .map((r) => ({ recordId: r.id, label: r.label!, labelledAt: new Date(v1.createdAt.getTime() + 1) })),
    );
    const result = await trainModel({ type: 'system' }, { model: model.name, reviewedSinceVersion: true });
    versionId = result.version.id;
    reviewed = result.reviewed!;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows on the version page how many reviewed records it learned from and its held-out numbers; Compare lists them under its table', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${versionId}/show`);
    await page.waitForSelector('[data-testid="reviewed-report"]');
    const m = reviewed.metrics!;
    assert.match(
      (await page.textContent('[data-testid="reviewed-summary"]')) ?? '',
      new RegExp(
        `^Learned from ${reviewed.learnedFrom} reviewed record\\(s\\) labelled through a review queue since v1 was created \\(.+ UTC\\); on ${m.rows} held-out reviewed record\\(s\\), never trained on:$`,
      ),
    );
    const numbers = (await page.textContent('[data-testid="reviewed-metrics"]')) ?? '';
    assert.match(numbers, new RegExp(`Accuracy${(m.accuracy * 100).toFixed(1)}%`));
    assert.match(numbers, new RegExp(`Log loss${m.calibration.logLoss.toFixed(4)}`));

    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/compare`);
    await page.waitForSelector('[data-testid="compare-reviewed"]');
    assert.equal(
      await page.locator('[data-testid="reviewed-1"]').count(),
      0,
      'v1 was not retrained with reviewed records',
    );
    assert.match(
      (await page.textContent('[data-testid="reviewed-2"]')) ?? '',
      new RegExp(
        `^v2: learned from ${reviewed.learnedFrom} reviewed record\\(s\\) since v1 was created \\(.+ UTC\\); on ${m.rows} held out: accuracy ${(m.accuracy * 100).toFixed(1)}%, log loss ${m.calibration.logLoss.toFixed(4)}`,
      ),
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('queues a retraining with the records reviewed since a date, or since the latest version, from the Retrain form', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    const submit = async () => {
      await page.click('[data-testid="train-submit"]');
      await page.waitForURL(/\/admin\/resources\/jobs\/records\/\d+\/show/);
      return (await Job.findByPk(Number(/jobs\/records\/(\d+)\/show/.exec(page.url())?.[1])))!.params;
    };

    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/train`);
    await page.waitForSelector('[data-testid="train-form"]');
    await page.fill('input#reviewedSince', '2026-12-01');
    assert.equal((await submit()).reviewedSince, '2026-12-01T00:00:00.000Z');

    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/train`);
    await page.waitForSelector('[data-testid="train-form"]');
    await page.fill('input#reviewedSince', '2026-12-01');
    // Choosing "since the latest version" clears and disables the date: one start, not two.
    await page.click('[data-testid="train-form"] label[for="reviewedSinceVersion"]');
    assert.equal(await page.inputValue('input#reviewedSince'), '');
    assert.equal(await page.isDisabled('input#reviewedSince'), true);
    const params = await submit();
    assert.equal(params.reviewedSinceVersion, true);
    assert.equal('reviewedSince' in params, false);
    await page.close();
  });
});
