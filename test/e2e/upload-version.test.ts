import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ModelVersion } from '../../models/index.js';
import { buildExternalOnnx, fitCentroids } from '../support/external-onnx.js';
import { createPenguinModel, encodedPenguins } from '../support/penguin-model.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

describe('a data scientist uploads an externally trained ONNX file in the browser', () => {
  let server: RunningConsole;
  let browser: Browser;
  let modelId: number;
  let onnx: Buffer;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const model = await createPenguinModel('e2e-upload');
    modelId = model.id;
    const train = await encodedPenguins(model.datasetId, 'train');
    const centroids = fitCentroids(
      train.map((t) => t.row),
      train.map((t) => t.label),
      ['Adelie', 'Chinstrap', 'Gentoo'],
    );
    onnx = Buffer.from(buildExternalOnnx(centroids));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('picks the file, sees a clear error for a ZipMap export, then lands on the new version with its metrics', async () => {
    const user = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);

    await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/show`);
    await page.click('[data-testid="action-upload"]');
    await page.waitForSelector('[data-testid="upload-form"]');
    await page.waitForSelector('input#labels[placeholder="Adelie, Chinstrap, Gentoo"]');

    const zipmap = Buffer.from(
      buildExternalOnnx(
        fitCentroids(
          [new Float64Array(6), new Float64Array(6).fill(1), new Float64Array(6).fill(2)],
          ['Adelie', 'Chinstrap', 'Gentoo'],
          ['Adelie', 'Chinstrap', 'Gentoo'],
        ),
        { probabilities: 'zipmap' },
      ),
    );
    await page.setInputFiles('[data-testid="upload-file"]', {
      name: 'zipmap.onnx',
      mimeType: 'application/octet-stream',
      buffer: zipmap,
    });
    await page.click('[data-testid="upload-submit"]');
    await page.waitForSelector('[data-testid="upload-error"]');
    assert.match((await page.textContent('[data-testid="upload-error"]')) ?? '', /sequence of maps .*'zipmap': False/);
    assert.match(page.url(), /\/upload$/);

    await page.setInputFiles('[data-testid="upload-file"]', {
      name: 'penguins_lr.onnx',
      mimeType: 'application/octet-stream',
      buffer: onnx,
    });
    await page.click('[data-testid="upload-submit"]');
    await page.waitForURL(/\/admin\/resources\/modelVersions\/records\/\d+\/show/);
    await page.waitForSelector('[data-testid="notice-wrapper"]');
    assert.match(
      (await page.textContent('[data-testid="notice-wrapper"]')) ?? '',
      /v1 uploaded from penguins_lr\.onnx: test accuracy \d+\.\d% on \d+ rows/,
    );
    await page.waitForSelector('[data-testid="version-metrics"]');
    assert.match((await page.textContent('[data-testid="version-metrics"]')) ?? '', /Accuracy\s*\d+\.\d%/);
    const versionId = Number(/records\/(\d+)\/show/.exec(page.url())![1]);
    const version = (await ModelVersion.findByPk(versionId))!;
    assert.equal(version.modelId, modelId);
    assert.equal(version.trainer, 'external-upload');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('gives a content manager 403 for the upload page', async () => {
    const user = await createTestUser('content_manager');
    const page = await browser.newPage();
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    const response = await page.goto(`${server.baseUrl}/admin/resources/models/records/${modelId}/upload`);
    assert.equal(response?.status(), 403);
    await page.close();
  });
});
