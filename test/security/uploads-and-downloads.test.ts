import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlModel, ModelVersion } from '../../models/index.js';
import { useTestDatabase } from '../support/database.js';
import { buildExternalOnnx, fitCentroids } from '../support/external-onnx.js';
import { createPenguinModel, encodedPenguins } from '../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';

/** Files formidable left in the temp folder (it names them with random hex, no extension). */
const tempUploads = () => new Set(fs.readdirSync(os.tmpdir()).filter((name) => /^[0-9a-f]{32}$/.test(name)));

describe('security: uploads and downloads (real server)', () => {
  let server: RunningConsole;
  let http: HttpSession;
  let modelId: number;
  let onnx: Uint8Array;

  before(async () => {
    await useTestDatabase();
    const model = await createPenguinModel('upload-security');
    modelId = model.id;
    const train = await encodedPenguins(model.datasetId, 'train');
    onnx = buildExternalOnnx(
      fitCentroids(
        train.map((t) => t.row),
        train.map((t) => t.label),
        ['Adelie', 'Chinstrap', 'Gentoo'],
      ),
    );
    server = await startConsoleServer({ MAX_MODEL_UPLOAD_MB: '1' });
    const user = await createTestUser('data_scientist');
    http = new HttpSession(server.baseUrl);
    await http.login(user.email, TEST_PASSWORD);
  });
  after(() => server?.stop());

  const upload = (bytes: Uint8Array, fileName: string, type = 'application/octet-stream') => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), fileName);
    form.append('labels', '');
    return http.request(`/admin/api/resources/models/records/${modelId}/upload`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-xsrf-token': decodeURIComponent(http.cookies.get('XSRF-TOKEN')!) },
      body: form,
    });
  };

  it('keeps only the base name of an uploaded file: a traversal name writes nothing outside the temp folder', async () => {
    const target = path.join(os.tmpdir(), 'modeldesk-traversal-check.onnx');
    fs.rmSync(target, { force: true });
    const before = tempUploads();
    const response = await upload(onnx, '../../../../../../tmp/modeldesk-traversal-check.onnx');
    const body = (await response.json()) as { notice: { type: string; message: string }; redirectUrl: string };
    assert.equal(body.notice.type, 'success', body.notice.message);
    const id = Number(/records\/(\d+)\/show$/.exec(body.redirectUrl)?.[1]);
    const version = (await ModelVersion.unscoped().findByPk(id))!;
    assert.equal(version.hyperparameters.fileName, 'modeldesk-traversal-check.onnx');
    assert.equal(fs.existsSync(target), false, 'nothing was written where the name pointed');
    const left = [...tempUploads()].filter((name) => !before.has(name));
    assert.deepEqual(left, [], "the upload's temp file was removed once answered");
  });

  it('refuses an HTML page (or any non-ONNX content) sent as a model, whatever its name or type, and answers JSON', async () => {
    const versions = await ModelVersion.count({ where: { modelId } });
    const page = new TextEncoder().encode('<!doctype html><html><body><script>alert(1)</script></body></html>');
    for (const [name, type] of [
      ['model.onnx', 'application/octet-stream'],
      ['page.html', 'text/html'],
      ['pic.svg', 'image/svg+xml'],
    ] as const) {
      const response = await upload(page, name, type);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as { notice: { type: string; message: string } };
      assert.equal(body.notice.type, 'error');
      assert.match(body.notice.message, /is not a valid ONNX file/);
    }
    assert.equal(await ModelVersion.count({ where: { modelId } }), versions, 'nothing was registered');
  });

  it('stops reading an oversized upload at the limit (413) and keeps no partial file', async () => {
    const before = tempUploads();
    const response = await upload(new Uint8Array(3 * 1024 * 1024), 'huge.onnx');
    assert.equal(response.status, 413);
    assert.match(((await response.json()) as { message: string }).message, /upload limit of 1 MB/);
    // The temp file is removed when the connection closes, just after the answer.
    const newFiles = () => [...tempUploads()].filter((name) => !before.has(name));
    for (let waited = 0; newFiles().length > 0 && waited < 5_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(newFiles(), []);
  });

  it('refuses a file sent by someone not signed in (the login form) before anything is written to disk', async () => {
    const before = tempUploads();
    const form = new FormData();
    form.append('email', 'someone@example.com');
    form.append('file', new Blob([new Uint8Array(512 * 1024)]), 'payload.bin');
    const response = await fetch(`${server.baseUrl}/admin/login`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(response.status, 401);
    assert.deepEqual(
      [...tempUploads()].filter((name) => !before.has(name)),
      [],
    );
  });

  it('serves model files only as attachments of type octet-stream; a model name cannot carry quotes or line breaks', async () => {
    await assert.rejects(
      MlModel.update({ name: 'evil"; filename="x.html\r\nX-Injected: 1' }, { where: { id: modelId } }),
      'the database keeps model names to [a-z0-9_-]',
    );
    const version = (await ModelVersion.unscoped().findOne({ where: { modelId } }))!;
    const response = await http.request(`/admin/model-versions/${version.id}/onnx`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="[a-z0-9_-]+-v\d+\.onnx"$/);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), new Uint8Array(version.onnx));
  });

  it('serves exports as attachments, never as a page', async () => {
    const response = await http.request('/admin/exports/records.csv?filters.label=Adelie');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="records-[^"]+\.csv"$/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    await response.arrayBuffer();
  });
});
