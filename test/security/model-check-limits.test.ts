import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelVersion } from '../../models/index.js';
import type { Actor } from '../../src/access/actor.js';
import { InvalidInput } from '../../src/errors/domain-error.js';
import { OnnxGraph, valueInfo } from '../../src/ml/onnx-graph.js';
import { uploadVersion } from '../../src/registry/upload-version.js';
import { loadConfig } from '../../src/platform/config.js';
import { testDatabaseUrl } from '../setup/hooks.js';
import { MAIN, TEST_SESSION_SECRET } from '../support/cli-process.js';
import { useTestDatabase } from '../support/database.js';
import { createPenguinModel } from '../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';

const MB = 1024 * 1024;

/**
 * A classifier for the penguins (6 float features, 3 classes) whose graph also builds a constant
 * [n, n] float tensor (Expand of a 1-element constant) and adds its sum: a few hundred bytes that
 * make onnxruntime allocate n² × 4 bytes while it opens the model (constant folding) and runs it.
 */
function expandBomb(n: number): Uint8Array {
  const g = new OnnxGraph();
  const big = g.op('Expand', [g.constant('one', 'float', [1], [0]), g.constant('shape', 'int64', [2], [n, n])]);
  const sum = g.op('ReduceSum', [big], { keepdims: { int: 0 } });
  const logits = g.op('Add', [
    g.op('MatMul', ['float_input', g.constant('w', 'float', [6, 3], new Array(18).fill(0.01))]),
    sum,
  ]);
  g.op('Softmax', [logits], { axis: { int: 1 } }, { outputs: ['probabilities'] });
  return g.toModel({
    inputs: [valueInfo('float_input', 'float', ['batch', 6])],
    outputs: [valueInfo('probabilities', 'float', ['batch', 3])],
    metadata: {},
    docString: '',
  });
}

/** The same classifier, slow instead of large: a chain of [n, n] × [n, n] products of constants. */
function slowModel(n: number, products: number): Uint8Array {
  const g = new OnnxGraph();
  let square = g.op('Expand', [g.constant('one', 'float', [1], [0]), g.constant('shape', 'int64', [2], [n, n])]);
  for (let i = 0; i < products; i += 1) square = g.op('MatMul', [square, square]);
  const sum = g.op('ReduceSum', [square], { keepdims: { int: 0 } });
  const logits = g.op('Add', [
    g.op('MatMul', ['float_input', g.constant('w', 'float', [6, 3], new Array(18).fill(0.01))]),
    sum,
  ]);
  g.op('Softmax', [logits], { axis: { int: 1 } }, { outputs: ['probabilities'] });
  return g.toModel({
    inputs: [valueInfo('float_input', 'float', ['batch', 6])],
    outputs: [valueInfo('probabilities', 'float', ['batch', 3])],
    metadata: {},
    docString: '',
  });
}

/** Issue 19, item 6: an uploaded ONNX file is opened only in a separate process capped in memory and time. */
describe('security: uploaded models are checked in a separate process with a memory and a time cap', () => {
  let server: RunningConsole;
  let http: HttpSession;
  let modelId: number;
  let modelName: string;
  let scientist: Actor;
  const bomb = expandBomb(16_000);
  const limits = { maxMemoryMb: 256, timeoutSeconds: 30 };

  before(async () => {
    await useTestDatabase();
    const model = await createPenguinModel('model-check');
    modelId = model.id;
    modelName = model.name;
    server = await startConsoleServer({ MODEL_CHECK_MAX_MEMORY_MB: String(limits.maxMemoryMb) });
    const user = await createTestUser('data_scientist');
    scientist = { type: 'user', ...user };
    http = new HttpSession(server.baseUrl);
    await http.login(user.email, TEST_PASSWORD);
  });
  after(() => server?.stop());

  const versions = () => ModelVersion.count({ where: { modelId } });

  it('has the caps as settings, 1 GiB and 30 s by default', () => {
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl() });
    assert.equal(config.MODEL_CHECK_MAX_MEMORY_MB, 1024);
    assert.equal(config.MODEL_CHECK_TIMEOUT_SECONDS, 30);
    assert.equal(
      loadConfig({
        DATABASE_URL: testDatabaseUrl(),
        MODEL_CHECK_MAX_MEMORY_MB: '2048',
        MODEL_CHECK_TIMEOUT_SECONDS: '60',
      }).MODEL_CHECK_TIMEOUT_SECONDS,
      60,
    );
  });

  it(`refuses a ${bomb.length}-byte file that asks for ~1 GB (Expand to [16000, 16000]) from the console with 422 and the setting to raise; the web process's memory does not move`, async () => {
    assert.ok(bomb.length < 1_000, `${bomb.length} bytes`);
    const before = await versions();
    const rss = process.memoryUsage().rss;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bomb)]), 'bomb.onnx');
    const response = await http.request(`/admin/api/resources/models/records/${modelId}/upload`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-xsrf-token': decodeURIComponent(http.cookies.get('XSRF-TOKEN')!) },
      body: form,
    });
    const body = (await response.json()) as { error?: string; message?: string; notice?: { type: string } };
    assert.equal(response.status, 422, JSON.stringify(body));
    assert.equal(body.error, 'onnx.check_memory');
    assert.equal(body.notice?.type, 'error');
    assert.match(
      body.message ?? '',
      /needed more than 256 MB of memory .*\(MODEL_CHECK_MAX_MEMORY_MB\).*raise MODEL_CHECK_MAX_MEMORY_MB/,
    );
    const grown = (process.memoryUsage().rss - rss) / MB;
    assert.ok(grown < 100, `the web process grew by ${grown.toFixed(0)} MB`);
    assert.equal(await versions(), before, 'nothing was registered');
  });

  it("refuses it through the service the CLI and the console share, saying which limit; this process's memory does not move", async () => {
    const rss = process.memoryUsage().rss;
    await assert.rejects(
      uploadVersion(scientist, { modelName, fileName: 'bomb.onnx', bytes: bomb }, { check: limits }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInput, String(error));
        assert.equal(error.code, 'onnx.check_memory');
        assert.match(error.message, /MODEL_CHECK_MAX_MEMORY_MB/);
        return true;
      },
    );
    const grown = (process.memoryUsage().rss - rss) / MB;
    assert.ok(grown < 100, `this process grew by ${grown.toFixed(0)} MB`);
  });

  it('refuses a file whose check runs past MODEL_CHECK_TIMEOUT_SECONDS, saying so', async () => {
    const before = await versions();
    await assert.rejects(
      uploadVersion(
        scientist,
        { modelName, fileName: 'slow.onnx', bytes: slowModel(2_000, 40) },
        { check: { maxMemoryMb: 1024, timeoutSeconds: 1 } },
      ),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInput, String(error));
        assert.equal(error.code, 'onnx.check_timeout');
        assert.match(
          error.message,
          /longer than 1 s .*\(MODEL_CHECK_TIMEOUT_SECONDS\).*raise MODEL_CHECK_TIMEOUT_SECONDS/,
        );
        return true;
      },
    );
    assert.equal(await versions(), before);
  });

  it('refuses it from `cli upload-model` with exit code 1 and the setting to raise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-bomb-'));
    const file = path.join(dir, 'bomb.onnx');
    fs.writeFileSync(file, bomb);
    try {
      const env = {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        SESSION_SECRET: TEST_SESSION_SECRET,
        LOG_LEVEL: 'silent',
        MODEL_CHECK_MAX_MEMORY_MB: '256',
      };
      const child = spawn(process.execPath, [MAIN, 'upload-model', '--model', modelName, '--file', file], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(code, 1, output);
      assert.match(output, /needed more than 256 MB of memory .*MODEL_CHECK_MAX_MEMORY_MB/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
