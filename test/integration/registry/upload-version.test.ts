import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AuditEvent, Dataset, MlModel, ModelVersion } from '../../../models/index.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import type { Actor } from '../../../src/access/actor.js';
import { Forbidden, InvalidInput } from '../../../src/errors/domain-error.js';
import { openClassifier, signatureOf } from '../../../src/ml/onnx-classifier.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { uploadVersion } from '../../../src/registry/upload-version.js';
import { unique, useTestDatabase } from '../../support/database.js';
import {
  buildExternalOnnx,
  fitCentroids,
  predictCentroids,
  type LinearClassifier,
} from '../../support/external-onnx.js';
import { createPenguinModel, encodedPenguins } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'];

interface Metrics {
  accuracy: number;
  labels: string[];
  confusion: number[][];
  rocAuc: number | null;
  evaluatedOn: { split: string; rows: number };
}

describe('upload an externally trained ONNX classifier (real Postgres)', () => {
  let scientist: Actor;
  let contentManager: Actor;
  let modelName: string;
  let modelId: number;
  let centroids: LinearClassifier;
  let test: Array<{ row: Float64Array; label: string }>;

  before(async () => {
    await useTestDatabase();
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    contentManager = { type: 'user', ...(await createTestUser('content_manager')) };
    const model = await createPenguinModel('upload');
    modelName = model.name;
    modelId = model.id;
    const train = await encodedPenguins(model.datasetId, 'train');
    test = await encodedPenguins(model.datasetId, 'test');
    centroids = fitCentroids(
      train.map((t) => t.row),
      train.map((t) => t.label),
      SPECIES,
    );
  });

  const versionCount = () => ModelVersion.count({ where: { modelId } });
  const upload = (bytes: Uint8Array, extra: { labels?: string; fileName?: string; maxBytes?: number } = {}) =>
    uploadVersion(
      scientist,
      { modelName, bytes, fileName: extra.fileName ?? 'model.onnx', labels: extra.labels },
      { maxBytes: extra.maxBytes },
    );

  it('takes back an in-house exported version: same class order from its metadata, same metrics', async () => {
    const trained = await trainModel(scientist, { model: modelName });
    const original = (await ModelVersion.unscoped().findByPk(trained.version.id))!;
    const result = await upload(original.onnx, { fileName: 'in-house.onnx' });

    const uploaded = (await ModelVersion.unscoped().findByPk(result.version.id))!;
    assert.equal(uploaded.version, original.version + 1);
    assert.equal(uploaded.trainer, 'external-upload');
    assert.equal(uploaded.sha256, original.sha256);
    assert.equal(uploaded.trainingSnapshot, null);
    assert.equal(result.labelsFrom, 'model metadata');
    const before = original.metrics as unknown as Metrics;
    const after = uploaded.metrics as unknown as Metrics;
    assert.equal(after.accuracy, before.accuracy);
    assert.deepEqual(after.confusion, before.confusion);
    assert.deepEqual(after.labels, SPECIES);
    assert.ok(Math.abs((after.rocAuc ?? 0) - (before.rocAuc ?? 0)) < 1e-3, `${after.rocAuc} vs ${before.rocAuc}`);
    assert.deepEqual(after.evaluatedOn, { split: 'test', rows: test.length });
    // Evaluated in float32 by onnxruntime vs float64 in the trainer: the same calibration to ~1e-6.
    const { calibration } = after as unknown as { calibration: { logLoss: number; ece: number } };
    const { calibration: trainedCalibration } = before as unknown as { calibration: { logLoss: number; ece: number } };
    assert.ok(
      Math.abs(calibration.logLoss - trainedCalibration.logLoss) < 1e-4,
      'an upload gets calibration metrics too',
    );
    assert.ok(Math.abs(calibration.ece - trainedCalibration.ece) < 1e-4);
    assert.deepEqual(uploaded.inputSchema.name, 'features');
    assert.deepEqual(signatureOf(uploaded), signatureOf(original));

    const event = (await AuditEvent.findOne({
      where: { action: 'model_versions.create', recordIds: [String(uploaded.id)] },
    }))!;
    const audited = event.after as { sha256: string; trainer: string; hyperparameters: { fileName: string } };
    assert.equal(audited.sha256, original.sha256);
    assert.equal(audited.trainer, 'external-upload');
    assert.equal(audited.hyperparameters.fileName, 'in-house.onnx');
  });

  it('takes a scikit-learn style export (float_input, int64 output_label, output_probability) and evaluates it', async () => {
    const bytes = buildExternalOnnx(centroids);
    const result = await upload(bytes, { fileName: 'C:\\Users\\me\\penguins_lr.onnx' });
    const version = (await ModelVersion.unscoped().findByPk(result.version.id))!;
    const metrics = version.metrics as unknown as Metrics;
    const expected = test.filter((t) => SPECIES[predictCentroids(centroids, t.row)] === t.label).length / test.length;
    assert.ok(expected > 0.8, `the centroid model itself reaches ${expected}`);
    assert.equal(metrics.accuracy, expected);
    assert.deepEqual(metrics.labels, SPECIES);
    assert.equal(
      metrics.confusion.flat().reduce((a, b) => a + b, 0),
      test.length,
    );
    assert.equal(result.labelsFrom, 'dataset labels, sorted');
    assert.deepEqual(version.hyperparameters, {
      fileName: 'penguins_lr.onnx',
      producer: { name: 'skl2onnx', version: '1.17.0' },
      opsets: { 'ai.onnx': 17, 'ai.onnx.ml': 1 },
      irVersion: 8,
      labelsFrom: 'dataset labels, sorted',
    });
    assert.deepEqual(version.inputSchema.shape, ['batch', 6]);
    assert.deepEqual(version.inputSchema.declaredShape, [null, 6]);
    assert.deepEqual(version.outputSchema, {
      probabilities: { name: 'output_probability', type: 'float32', shape: ['batch', 3] },
      label: { name: 'output_label', type: 'int64', shape: ['batch'] },
      labels: SPECIES,
    });

    // What batch scoring and the inference API will do with it: open from the stored schemas and predict.
    const classifier = await openClassifier(version.onnx, signatureOf(version));
    try {
      const rows = test.slice(0, 20);
      const input = new Float32Array(rows.length * 6);
      rows.forEach((t, i) => input.set(t.row, i * 6));
      const prediction = await classifier.predict(input);
      assert.deepEqual(
        Array.from(prediction.labelIndex),
        rows.map((t) => predictCentroids(centroids, t.row)),
      );
    } finally {
      await classifier.release();
    }
  });

  it('uses the class order given by the uploader, and catches a wrong one when the model names its classes', async () => {
    const reordered = fitCentroids(
      test.map((t) => t.row),
      test.map((t) => t.label),
      ['Gentoo', 'Adelie', 'Chinstrap'],
    );
    const bytes = buildExternalOnnx(reordered, { label: 'string' });
    const before = await versionCount();
    await assert.rejects(upload(bytes), (error: unknown) => {
      assert.ok(error instanceof InvalidInput);
      assert.equal(error.code, 'onnx.label_order');
      assert.match(
        error.message,
        /give the class labels in the model's output order \(for scikit-learn, model\.classes_\)/,
      );
      return true;
    });
    assert.equal(await versionCount(), before);
    const result = await upload(bytes, { labels: ' Gentoo, Adelie ,Chinstrap ' });
    assert.equal(result.labelsFrom, 'uploader');
    assert.deepEqual((result.version.outputSchema as { labels: string[] }).labels, ['Gentoo', 'Adelie', 'Chinstrap']);
    assert.ok((result.accuracy ?? 0) > 0.8, `accuracy ${result.accuracy}`);
  });

  describe('refuses what does not fit, saying what to do', () => {
    const refuses = (run: () => Promise<unknown>, code: string, message: RegExp) => async () => {
      const before = await versionCount();
      await assert.rejects(run(), (error: unknown) => {
        assert.ok(error instanceof InvalidInput, String(error));
        assert.equal(error.code, code, error.message);
        assert.match(error.message, message);
        return true;
      });
      assert.equal(await versionCount(), before, 'no version was registered');
    };

    it(
      'garbage bytes',
      refuses(
        () => upload(new TextEncoder().encode('this is a CSV, not a model\n1,2,3\n'), { fileName: 'data.csv' }),
        'onnx.invalid',
        /^"data\.csv" is not a valid ONNX file: .+/,
      ),
    );
    it(
      'an empty file',
      refuses(() => upload(new Uint8Array()), 'onnx.empty', /is empty/),
    );
    it(
      'a file over the size limit',
      refuses(
        () => upload(buildExternalOnnx(centroids), { maxBytes: 100 }),
        'onnx.too_large',
        /uploads are limited to 100 bytes \(MAX_MODEL_UPLOAD_MB\)/,
      ),
    );

    it(
      'the wrong number of features',
      refuses(
        () => {
          const five = fitCentroids(
            test.map((t) => t.row.subarray(0, 5)),
            test.map((t) => t.label),
            SPECIES,
          );
          return upload(buildExternalOnnx(five));
        },
        'onnx.feature_count',
        /takes 5 features per row, but dataset ".*" has 6 \(beak_length_mm, .*, sex\)/,
      ),
    );

    it(
      'a string input for a tabular dataset',
      refuses(
        () => upload(buildExternalOnnx(centroids, { inputType: 'string', inputName: 'input' })),
        'onnx.input_mismatch',
        /Input "input" takes strings \(string \[\?, 6\]\), but dataset ".*" is tabular: a float tensor \[batch, 6\]/,
      ),
    );

    it(
      "scikit-learn's default ZipMap output",
      refuses(
        () => upload(buildExternalOnnx(centroids, { probabilities: 'zipmap' })),
        'onnx.zipmap_output',
        /sequence of maps .*ZipMap.*options=\{id\(model\): \{'zipmap': False\}\}/,
      ),
    );

    it(
      'the wrong number of classes',
      refuses(
        () => {
          const rows = test.filter((t) => t.label !== 'Gentoo');
          return upload(
            buildExternalOnnx(
              fitCentroids(
                rows.map((t) => t.row),
                rows.map((t) => t.label),
                ['Adelie', 'Chinstrap'],
              ),
            ),
          );
        },
        'onnx.class_count',
        /gives 2 class probabilities, but dataset ".*" has 3 labels \(Adelie, Chinstrap, Gentoo\)/,
      ),
    );

    it(
      "class labels that are not the dataset's",
      refuses(
        () => upload(buildExternalOnnx(centroids), { labels: 'Adelie, Chinstrap, Emperor' }),
        'onnx.labels_mismatch',
        /must be exactly dataset ".*"'s labels \(Adelie, Chinstrap, Gentoo\).*not in the dataset: Emperor; missing: Gentoo/,
      ),
    );

    it(
      'scores that are not probabilities',
      refuses(
        () => upload(buildExternalOnnx(centroids, { probabilities: 'logits' })),
        'onnx.not_probabilities',
        /must be finite and between 0 and 1|sum to/,
      ),
    );

    it('records the refused attempts in the audit log', async () => {
      const failed = await AuditEvent.findAll({
        where: { action: 'models.upload', outcome: 'failed', actorId: String((scientist as { id: number }).id) },
      });
      const reasons = failed.map((e) => e.reason ?? '');
      for (const code of [
        'onnx.invalid',
        'onnx.too_large',
        'onnx.zipmap_output',
        'onnx.class_count',
        'onnx.labels_mismatch',
      ]) {
        assert.ok(
          reasons.some((r) => r.startsWith(`${code}:`)),
          `${code} in ${reasons.join(' | ')}`,
        );
      }
      const invalid = failed.find((e) => e.reason?.startsWith('onnx.invalid:'))!;
      assert.deepEqual(invalid.recordIds, [String(modelId)]);
      assert.equal((invalid.after as { fileName: string }).fileName, 'data.csv');
      assert.match((invalid.after as { sha256: string }).sha256, /^[0-9a-f]{64}$/);
    });
  });

  it('takes back an in-house text model (string input) on a text dataset', async () => {
    const name = unique('upload-text');
    const spam = ['cheap', 'pills', 'winner', 'prize', 'offer', 'casino'];
    const ham = ['meeting', 'lunch', 'report', 'project', 'notes', 'agenda'];
    const records = Array.from({ length: 80 }, (_, i) => {
      const words = i % 2 === 0 ? spam : ham;
      return {
        text: `${words[i % 6]} ${words[(i + 1) % 6]} ${words[(i + 3) % 6]} hello`,
        features: null,
        label: i % 2 === 0 ? 'spam' : 'ham',
        split: i % 5 === 0 ? ('test' as const) : ('train' as const),
        tags: [],
        source: 'test',
      };
    });
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'text-classification',
        labels: ['ham', 'spam'],
        featureSchema: [],
        description: null,
        source: null,
        license: null,
      },
      records,
    );
    const dataset = (await Dataset.findOne({ where: { name } }))!;
    const model = await MlModel.create({
      name: unique('upload-text-model'),
      datasetId: dataset.id,
      task: 'text-classification',
      description: null,
      createdById: null,
    });
    const trained = await trainModel(scientist, { model: model.name });
    const original = (await ModelVersion.unscoped().findByPk(trained.version.id))!;
    const result = await uploadVersion(scientist, { modelId: model.id, bytes: original.onnx, fileName: 'spam.onnx' });
    assert.equal(result.version.version, 2);
    assert.deepEqual(result.version.inputSchema.shape, ['batch']);
    assert.equal(result.version.inputSchema.type, 'string');
    assert.equal(
      (result.version.metrics as unknown as Metrics).accuracy,
      (original.metrics as unknown as Metrics).accuracy,
    );
    assert.equal(result.testRows, 16);
    // A tabular model's file does not fit a text model.
    await assert.rejects(
      uploadVersion(scientist, { modelId: model.id, bytes: buildExternalOnnx(centroids), fileName: 'x.onnx' }),
      /Input "float_input" is float32 \[\?, 6\], but dataset ".*" holds text: a string tensor \[batch\]/,
    );
  });

  it('refuses a content manager and records the denial', async () => {
    const before = await versionCount();
    await assert.rejects(
      uploadVersion(contentManager, { modelName, bytes: buildExternalOnnx(centroids), fileName: 'x.onnx' }),
      Forbidden,
    );
    assert.equal(await versionCount(), before);
    const denied = await AuditEvent.findOne({
      where: { action: 'models.upload', outcome: 'denied', actorId: String((contentManager as { id: number }).id) },
    });
    assert.ok(denied);
    assert.deepEqual(denied.recordIds, [String(modelId)]);
  });

  it('names an unknown model', async () => {
    await assert.rejects(
      uploadVersion(scientist, { modelName: 'no-such-model', bytes: new Uint8Array([1]), fileName: 'x.onnx' }),
      /No model named "no-such-model"/,
    );
  });

  describe('from the console (multipart, CSRF token, 1 MB limit)', () => {
    let server: RunningConsole;
    before(async () => {
      server = await startConsoleServer({ MAX_MODEL_UPLOAD_MB: '1' });
    });
    after(() => server?.stop());

    const signIn = async (role: 'data_scientist' | 'content_manager') => {
      const user = await createTestUser(role);
      const http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
      return http;
    };
    const post = (http: HttpSession, bytes: Uint8Array, fields: Record<string, string> = {}, withToken = true) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)]), 'penguins.onnx');
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      const token = http.cookies.get('XSRF-TOKEN');
      return http.request(`/admin/api/resources/models/records/${modelId}/upload`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          ...(withToken && token ? { 'x-xsrf-token': decodeURIComponent(token) } : {}),
        },
        body: form,
      });
    };

    it('registers an upload and sends the browser to the new version', async () => {
      const http = await signIn('data_scientist');
      const response = await post(http, buildExternalOnnx(centroids), { labels: '' });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { notice: { type: string; message: string }; redirectUrl: string };
      assert.equal(body.notice.type, 'success', body.notice.message);
      assert.match(body.notice.message, /v\d+ uploaded from penguins\.onnx: test accuracy \d+\.\d% on \d+ rows/);
      const id = Number(/\/admin\/resources\/modelVersions\/records\/(\d+)\/show$/.exec(body.redirectUrl)?.[1]);
      const version = (await ModelVersion.unscoped().findByPk(id))!;
      assert.equal(version.modelId, modelId);
      assert.equal(version.sha256, createHash('sha256').update(buildExternalOnnx(centroids)).digest('hex'));
    });

    it('answers a bad file with an error notice that says what is wrong', async () => {
      const http = await signIn('data_scientist');
      const body = (await (await post(http, buildExternalOnnx(centroids, { probabilities: 'zipmap' }))).json()) as {
        notice: { type: string; message: string };
      };
      assert.equal(body.notice.type, 'error');
      assert.match(body.notice.message, /zipmap/i);
      const missing = (await (
        await http.api(`/resources/models/records/${modelId}/upload`, 'POST', { labels: 'a' })
      ).json()) as { notice: { message: string } };
      assert.match(missing.notice.message, /Choose the \.onnx file to upload/);
    });

    it('stops reading a file over MAX_MODEL_UPLOAD_MB with 413 and the limit', async () => {
      const http = await signIn('data_scientist');
      const response = await post(http, new Uint8Array(1024 * 1024 + 10));
      assert.equal(response.status, 413);
      assert.match(
        ((await response.json()) as { message: string }).message,
        /upload limit of 1 MB \(MAX_MODEL_UPLOAD_MB\)/,
      );
    });

    it('refuses an upload without the CSRF token, and a content manager with 403', async () => {
      const scientistHttp = await signIn('data_scientist');
      assert.equal((await post(scientistHttp, buildExternalOnnx(centroids), {}, false)).status, 403);
      const before = await versionCount();
      const http = await signIn('content_manager');
      assert.equal((await post(http, buildExternalOnnx(centroids))).status, 403);
      assert.equal((await http.request(`/admin/resources/models/records/${modelId}/upload`)).status, 403);
      assert.equal(await versionCount(), before);
    });
  });
});
