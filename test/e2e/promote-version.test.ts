import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { MlModel, ModelAlias } from '../../models/index.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { trainModel } from '../../src/ml/train-model.js';
import { registerVersion } from '../../src/registry/register-version.js';
import { createPenguinModel } from '../support/penguin-model.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

describe('a data scientist trains, reviews and promotes a model version in the browser', () => {
  let server: RunningConsole;
  let browser: Browser;
  let modelId: number;
  let versionId: number;
  let unconvergedId: number;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const model = await createPenguinModel('e2e');
    modelId = model.id;
    const trained = (await trainModel({ type: 'system' }, { model: model.name })).version;
    versionId = trained.id;
    // The same model registered as v2, as if its fit had stopped at the iteration cap.
    unconvergedId = (
      await registerVersion(
        { type: 'system' },
        {
          modelId: model.id,
          onnx: trained.onnx,
          trainer: trained.trainer,
          hyperparameters: trained.hyperparameters,
          inputSchema: trained.inputSchema,
          outputSchema: trained.outputSchema,
          trainingSnapshot: trained.trainingSnapshot,
          metrics: {
            ...trained.metrics,
            training: { solver: 'lbfgs', iterations: 50, maxIterations: 50, converged: false, gradientNorm: 0.1 },
          },
        },
      )
    ).id;
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  it('sees the metrics, compares versions, and promotes to staging from the form', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);

    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${versionId}/show`);
    await page.waitForSelector('[data-testid="version-metrics"]');
    assert.match((await page.textContent('[data-testid="version-metrics"]')) ?? '', /Accuracy\s*\d+\.\d%/);
    assert.ok(await page.$('[data-testid="confusion-matrix"]'));
    await page.waitForSelector('[data-testid="calibration-report"] canvas');
    const calibration = (await page.textContent('[data-testid="calibration-report"]')) ?? '';
    assert.match(calibration, /Log loss\s*\d\.\d{4}.*Brier score\s*\d\.\d{4}.*ECE\s*\d\.\d{4}/);
    assert.match(
      calibration,
      /When it says about \d+ % \(as it does for \d+ of the test rows\), it is right \d+ % of the time/,
    );
    assert.equal(await page.$('[data-testid="not-converged"]'), null);

    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${unconvergedId}/show`);
    await page.waitForSelector('[data-testid="not-converged"]');
    assert.match(
      (await page.textContent('[data-testid="not-converged"]')) ?? '',
      /The fit stopped at the iteration cap \(50 of 50 iterations\) before converging: its probabilities and metrics may be off; retrain with more iterations or stronger regularisation/,
    );

    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/compare`);
    await page.waitForSelector('[data-testid="compare-row-2"]');
    const table = (await page.textContent('[data-testid="compare-versions"] table')) ?? '';
    for (const column of ['Log loss', 'Brier', 'ECE', 'Converged']) assert.ok(table.includes(column), column);
    assert.equal(await page.textContent('[data-testid="converged-2"]'), 'no: stopped at the iteration cap');
    // Every version's reliability diagram on one chart, beside the ROC curves.
    assert.equal(await page.locator('[data-testid="compare-reliability"] canvas').count(), 1);

    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${versionId}/promote`);
    await page.fill('[data-testid="promote-form"] input[name="alias"]', 'staging');
    await page.click('[data-testid="promote-submit"]');
    await page.waitForURL(/\/admin\/resources\/modelAliases/);
    await page.waitForSelector('[data-testid="notice-wrapper"]');
    assert.match((await page.textContent('[data-testid="notice-wrapper"]')) ?? '', /"staging" now v1/);
    assert.equal((await ModelAlias.findOne({ where: { modelId, alias: 'staging' } }))?.versionId, versionId);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('trains a new version from the form and watches the job finish', async () => {
    await startWorker();
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/train`);
    await page.fill('[data-testid="train-form"] input[name="maxIterations"]', '12');
    await page.click('[data-testid="train-form"] label[for="calibrate"]');
    await page.click('[data-testid="train-submit"]');
    await page.waitForURL(/\/admin\/resources\/jobs\/records\/\d+\/show/);
    await page.waitForSelector('[data-testid="job-progress"][data-status="succeeded"]', { timeout: 60_000 });
    assert.match(
      (await page.textContent('[data-testid="job-progress"]')) ?? '',
      /New version: v\d+, test accuracy \d+\.\d%/,
    );

    // …then opens the new version from the job page and promotes it to production.
    await page.click('[data-testid="job-progress"] a');
    await page.waitForSelector('[data-testid="version-metrics"]');
    const newVersionId = Number(/modelVersions\/records\/(\d+)\/show/.exec(page.url())?.[1]);
    assert.notEqual(newVersionId, versionId);
    // Trained with "Calibrate probabilities": the temperature and its held-out rows are on the page.
    assert.match(
      (await page.textContent('[data-testid="calibration-temperature"]')) ?? '',
      /(logits divided by \d+\.\d{3} .* fitted on|kept T = 1 on) \d+ held-out train rows/,
    );
    await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${newVersionId}/promote`);
    await page.fill('[data-testid="promote-form"] input[name="alias"]', 'production');
    await page.click('[data-testid="promote-submit"]');
    await page.waitForURL(/\/admin\/resources\/modelAliases/);
    assert.equal((await ModelAlias.findOne({ where: { modelId, alias: 'production' } }))?.versionId, newVersionId);
    await page.close();
  });

  it('does not offer a content manager retraining or promotion, and the server refuses both', async () => {
    const user = await createTestUser('content_manager');
    const page = await browser.newPage();
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    const response = await page.goto(`${server.baseUrl}/admin/resources/modelVersions/records/${versionId}/promote`);
    assert.equal(response?.status(), 403);
    assert.equal((await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/train`))?.status(), 403);
    const model = await MlModel.findByPk(modelId);
    assert.equal(
      (await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${model!.datasetId}/train`))?.status(),
      403,
    );
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${model!.datasetId}/show`);
    assert.equal(await page.$('[data-testid="action-train"]'), null, 'no Retrain button on the dataset');
    await page.close();
  });
});
