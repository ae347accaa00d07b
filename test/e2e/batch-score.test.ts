import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DataRecord, Dataset, MlModel, RecordPrediction, sequelizeOf } from '../../models/index.js';
import { startQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { testDatabaseUrl } from '../setup/hooks.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

describe('a data scientist scores a dataset from the console and follows the job (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let modelId: number;
  let datasetId: number;

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    await startQueue(testDatabaseUrl());
    await startWorker();
    browser = await launchChromium();
    // The job queued below gets the model's id: AdminJS then first renders the job's page with the
    // model's record (same id), which the progress component must not keep.
    const next = 'GREATEST((SELECT coalesce(max(id), 0) FROM models), (SELECT coalesce(max(id), 0) FROM jobs)) + 1';
    await sequelizeOf().query(`SELECT setval(pg_get_serial_sequence('models', 'id'), ${next}, false)`);
    const model = await createPenguinModel('score-e2e');
    await sequelizeOf().query(`SELECT setval(pg_get_serial_sequence('jobs', 'id'), ${model.id}, false)`);
    modelId = model.id;
    datasetId = model.datasetId;
    const { version } = await trainModel({ type: 'system' }, { model: model.name, maxIterations: 20 });
    await promoteAlias({ type: 'system' }, { versionId: version.id, alias: 'production' });
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  it('picks the production version, previews the count, queues the job and sees progress, the summary and its chart', async () => {
    const scientist = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, scientist.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/score`);
    await page.waitForSelector('[data-testid="score-form"] select#which');
    assert.match((await page.inputValue('select#which')) ?? '', /^alias:production$/);
    await page.click('[data-testid="score-preview-button"]');
    await page.waitForSelector('[data-testid="score-preview"]');
    const total = await DataRecord.count({ where: { datasetId } });
    assert.match(
      (await page.textContent('[data-testid="score-preview"]')) ?? '',
      new RegExp(`${total.toLocaleString('en')} records will be scored with .* version 1 \\(production\\)`),
    );
    await page.click('[data-testid="score-apply"]');
    await page.waitForURL(new RegExp(`/admin/resources/jobs/records/${modelId}/show`));
    await page.waitForSelector('[data-testid="job-progress"][data-status="succeeded"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="score-summary"]');
    assert.equal(
      (await page.textContent('[data-testid="job-attempt"]'))?.trim(),
      'Attempt 1',
      'the job page numbers the attempt',
    );
    assert.match(
      (await page.textContent('[data-testid="score-summary"]')) ?? '',
      new RegExp(`Scored ${total.toLocaleString('en')} records with .*v1`),
    );
    // The chart drew something: some pixels of its canvas are not transparent.
    const painted = await page.$eval('[data-testid="chart-score-labels"] canvas', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let count = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count += 1;
      return count;
    });
    assert.ok(painted > 500, `chart painted ${painted} pixels`);
    assert.equal(
      await RecordPrediction.count({
        where: { recordId: (await DataRecord.findAll({ where: { datasetId }, attributes: ['id'] })).map((r) => r.id) },
      }),
      total,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
  it("offers the dataset's labels and the splits as choices, and answers a label it lacks with the valid ones", async () => {
    const scientist = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInByPost(page, server.baseUrl, scientist.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/score`);
    await page.waitForSelector('[data-testid="score-form"] select#which');
    const options = (selector: string) =>
      page.$$eval(`${selector} option`, (found) => found.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(await options('[id="filter.label"]'), ['', 'Adelie', 'Chinstrap', 'Gentoo']);
    assert.deepEqual(await options('[id="filter.predictedLabel"]'), ['', 'Adelie', 'Chinstrap', 'Gentoo']);
    assert.deepEqual(await options('[id="filter.split"]'), ['', 'train', 'test', 'holdout']);
    await page.selectOption('[id="filter.label"]', 'Chinstrap');
    await page.selectOption('[id="filter.split"]', 'test');
    await page.click('[data-testid="score-preview-button"]');
    await page.waitForSelector('[data-testid="score-preview"]');
    const matching = await DataRecord.count({ where: { datasetId, label: 'Chinstrap', split: 'test' } });
    assert.match(
      await page.getByTestId('score-preview').innerText(),
      new RegExp(`^${matching.toLocaleString('en')} records? will be scored`),
    );

    // A label from a shared URL that the dataset lacks: kept visible, and the preview says which are valid.
    const dataset = (await Dataset.findByPk(datasetId))!;
    await page.goto(`${server.baseUrl}/admin/resources/records/actions/scoreMatching?filters.label=adelie`);
    await page.waitForSelector('[data-testid="score-form"] select#model');
    const model = (await MlModel.findByPk(modelId))!;
    await page.selectOption('select#model', { label: `${model.name} (dataset ${dataset.name})` });
    await page.click('[data-testid="score-preview-button"]');
    const error = page.getByTestId('score-error');
    await error.waitFor();
    assert.equal(
      await error.innerText(),
      `"adelie" is not one of the labels of dataset ${dataset.name} (Adelie, Chinstrap, Gentoo): pick one of them.`,
    );
    await page.close();
  });
});
