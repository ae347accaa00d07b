import assert from 'node:assert/strict';
import { ApiKey, Dataset, InferenceStat, ModelVersion, User } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import { revokeApiKey } from '../../../src/auth/api-keys/revoke-api-key.js';
import { encodeInputs } from '../../../src/ml/model-inputs.js';
import { openClassifier, signatureOf } from '../../../src/ml/onnx-classifier.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { loadPenguins } from '../../../seeders/penguins.js';
import { registry } from '../../../src/monitoring/registry.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

interface PredictAnswer {
  apiVersion: string;
  model: string;
  version: number;
  alias: string | null;
  cached: boolean;
  predictions: Array<{ label: string; score: number; probabilities: Record<string, number> }>;
}
interface ProblemAnswer {
  type: string;
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ path: string; reason: string }>;
}

describe('REST API: POST /api/v1/models/{name}/predict (real HTTP, Postgres, onnxruntime)', () => {
  let server: RunningConsole;
  let scientist: Actor & { type: 'user'; email: string };
  let modelName: string;
  let datasetId: number;
  let v1: ModelVersion;
  let v2: ModelVersion;
  let key: string;

  const penguin = {
    beak_length_mm: 39.1,
    beak_depth_mm: 18.7,
    flipper_length_mm: 181,
    body_mass_g: 3750,
    island: 'Torgersen',
    sex: 'MALE',
  };

  async function predict(
    body: unknown,
    options: { key?: string | null; query?: string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<Response> {
    const auth: Record<string, string> = options.key === null ? {} : { authorization: `Bearer ${options.key ?? key}` };
    return fetch(`${server.baseUrl}/api/v1/models/${modelName}/predict${options.query ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...(options.headers ?? {}) },
      body: options.raw ?? JSON.stringify(body),
    });
  }

  /** The first answer (tried until `ms` pass) that is not a 200: a change made elsewhere reaches the API's caches by NOTIFY, within milliseconds. */
  async function refusedWithin(send: () => Promise<Response>, ms = 1_000): Promise<Response> {
    const deadline = Date.now() + ms;
    for (;;) {
      const response = await send();
      if (response.status !== 200 || Date.now() > deadline) return response;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function problem(response: Response, status: number, code?: string): Promise<ProblemAnswer> {
    const text = await response.text();
    assert.equal(response.status, status, text);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = JSON.parse(text) as ProblemAnswer;
    assert.equal(body.status, status);
    assert.equal(body.type, `/api/problems/${body.code}`);
    assert.ok(body.detail.length > 10);
    assert.doesNotMatch(text, /at [\w.]+ \(|node_modules|\.ts:\d+/, 'no stack trace');
    if (code) assert.equal(body.code, code, body.detail);
    return body;
  }

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    const user = await createTestUser('data_scientist');
    scientist = { type: 'user', ...user };
    const model = await createPenguinModel('api');
    modelName = model.name;
    datasetId = model.datasetId;
    v1 = (await trainModel(scientist, { model: modelName, maxIterations: 20 })).version;
    v2 = (await trainModel(scientist, { model: modelName, maxIterations: 2, l2: 0.5 })).version;
    await promoteAlias(scientist, { versionId: v1.id, alias: 'production' });
    await promoteAlias(scientist, { versionId: v2.id, alias: 'staging' });
    key = (await createApiKey(systemActor, { ownerEmail: user.email, name: 'predict test', scopes: ['predict'] })).key;
    server = await startConsoleServer({
      CORS_ORIGINS: 'https://app.example.com',
      API_MAX_INSTANCES: '200',
      API_MAX_BODY_KB: '256',
    });
  });

  after(async () => server?.stop());

  it("answers with the production version: every probability equals the ONNX model's own output, objects and arrays alike", async () => {
    const dataset = (await Dataset.findByPk(datasetId))!;
    // 150 instances: more than one validation slice (100), so the sliced path is what is checked here.
    const rows = loadPenguins().slice(0, 150);
    const response = await predict({ instances: rows.map((r) => r.features) });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.equal(response.headers.get('api-version'), 'v1');
    const answer = JSON.parse(text) as PredictAnswer;
    assert.equal(answer.apiVersion, 'v1');
    assert.equal(answer.model, modelName);
    assert.equal(answer.version, v1.version);
    assert.equal(answer.alias, 'production');
    assert.equal(answer.predictions.length, rows.length);

    const full = (await ModelVersion.unscoped().findByPk(v1.id))!;
    const signature = signatureOf(full);
    const classifier = await openClassifier(full.onnx, signature);
    const inputs = encodeInputs(
      dataset,
      rows.map((r, i) => ({ id: i, text: null, features: r.features })),
    );
    const expected = await classifier.predict(inputs);
    await classifier.release();
    answer.predictions.forEach((p, i) => {
      signature.labels.forEach((label, c) =>
        assert.equal(p.probabilities[label], expected.probabilities[i * signature.labels.length + c]),
      );
      assert.equal(p.label, signature.labels[expected.labelIndex[i]!]);
      assert.equal(p.score, p.probabilities[p.label]);
    });

    // The same rows as arrays (features in schema order, categories as their index) answer the same.
    const width = dataset.featureSchema.length;
    const arrays = rows.map((_, i) =>
      Array.from(inputs.slice(i * width, (i + 1) * width) as Float32Array, (v) => (Number.isNaN(v) ? null : v)),
    );
    const byArray = (await (await predict({ instances: arrays })).json()) as PredictAnswer;
    assert.deepEqual(byArray.predictions, answer.predictions);

    // A body over 64 KiB is parsed, checked and scored by a worker thread: the same answer.
    const large = await predict(null, {
      raw: `${JSON.stringify({ instances: rows.map((r) => r.features) })}${' '.repeat(70 * 1024)}`,
    });
    const byThread = JSON.parse(await large.text()) as PredictAnswer;
    assert.equal(large.status, 200);
    assert.deepEqual(byThread.predictions, answer.predictions);
    assert.equal(byThread.version, v1.version);
  });

  it("serves ?alias= and ?version=, and picks up a promotion without a restart (never the old version's cached answer)", async () => {
    const staging = (await (
      await predict({ instances: [penguin] }, { query: '?alias=staging' })
    ).json()) as PredictAnswer;
    assert.equal(staging.version, v2.version);
    assert.equal(staging.alias, 'staging');
    const pinned = (await (
      await predict({ instances: [penguin] }, { query: `?version=${v1.version}` })
    ).json()) as PredictAnswer;
    assert.equal(pinned.version, v1.version);
    assert.equal(pinned.alias, null);

    const first = (await (await predict({ instances: [penguin] })).json()) as PredictAnswer;
    const again = (await (await predict({ instances: [penguin] })).json()) as PredictAnswer;
    assert.equal(first.version, v1.version);
    assert.equal(again.cached, true, 'identical inputs for the same version come from the cache');
    const lookups = await registry.getSingleMetricAsString('modeldesk_predict_cache_lookups_total');
    assert.match(lookups, /modeldesk_predict_cache_lookups_total\{result="hit"\} [1-9]/, 'the hit rate is in /metrics');
    assert.deepEqual(again.predictions, first.predictions);

    await promoteAlias(scientist, { versionId: v2.id, alias: 'production' });
    const deadline = Date.now() + 1_000;
    let moved: PredictAnswer;
    do moved = (await (await predict({ instances: [penguin] })).json()) as PredictAnswer;
    while (moved.version !== v2.version && Date.now() < deadline);
    assert.equal(moved.version, v2.version, 'the promotion is served within a second');
    assert.deepEqual(
      moved.predictions,
      staging.predictions,
      "the new version's answer (cached from the staging call: same version, same input)",
    );
    await promoteAlias(scientist, { versionId: v1.id, alias: 'production' });
    const back = Date.now() + 1_000;
    do moved = (await (await predict({ instances: [penguin] })).json()) as PredictAnswer;
    while (moved.version !== v1.version && Date.now() < back);
    assert.equal(moved.version, v1.version, 'and back');
  });

  it('counts predictions per version in inference_stats, flushed from memory', async () => {
    await server.flushApi();
    const before = await InferenceStat.sum('count', { where: { modelVersionId: v1.id } });
    for (let i = 0; i < 5; i += 1)
      assert.equal(
        (await predict({ instances: [{ ...penguin, body_mass_g: 3000 + i }] }, { query: `?version=${v1.version}` }))
          .status,
        200,
      );
    await server.flushApi();
    const after = await InferenceStat.sum('count', { where: { modelVersionId: v1.id } });
    assert.equal(after - (before ?? 0), 5);
    const rows = await InferenceStat.findAll({ where: { modelVersionId: v1.id } });
    assert.ok(
      rows.every((row) => row.latencyBuckets.reduce((a, b) => a + b, 0) === row.count),
      'a latency histogram per minute',
    );
  });

  it('does not compress small predict answers', async () => {
    const small = await predict({ instances: [penguin] }, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(small.status, 200);
    assert.equal(small.headers.get('content-encoding'), null);
  });

  it('400: names the failing field path and reason for each kind of bad input', async () => {
    const width = 6;
    let body = await problem(await predict({ instances: [[1, 2, 3]] }), 400, 'instances.invalid');
    assert.equal(body.errors?.[0]?.path, 'instances[0]');
    assert.match(body.errors[0].reason, new RegExp(`has 3 values; .* takes ${width}`));

    body = await problem(await predict(null, { raw: '{"instances": [[1e999, 1, 1, 1, 0, 0]]}' }), 400, 'body.invalid');
    assert.equal(body.errors?.[0]?.path, 'instances[0][0]');
    assert.match(body.errors[0].reason, /finite number/);

    body = await problem(await predict({ instances: [[1, 2, 'three', 4, 0, 0]] }), 400, 'body.invalid');
    assert.equal(body.errors?.[0]?.path, 'instances[0][2]');

    body = await problem(
      await predict({ instances: [{ ...penguin, body_mass_g: 'heavy', wings: 2 }] }),
      400,
      'instances.invalid',
    );
    const paths = body.errors!.map((e) => e.path).sort();
    assert.deepEqual(paths, ['instances[0].body_mass_g', 'instances[0].wings']);

    const many: unknown[] = Array.from({ length: 150 }, () => [1, 2, 3, 4, 0, 0]);
    many[137] = [1, 2, 'x', 4, 0, 0];
    body = await problem(await predict({ instances: many }), 400, 'body.invalid');
    assert.deepEqual(
      body.errors?.map((e) => e.path),
      ['instances[137][2]'],
      'a large body is validated in slices, with the same paths',
    );
    const padding = ' '.repeat(70 * 1024);
    body = await problem(
      await predict(null, { raw: JSON.stringify({ instances: many }) + padding }),
      400,
      'body.invalid',
    );
    assert.deepEqual(
      body.errors?.map((e) => e.path),
      ['instances[137][2]'],
      'and by the worker thread, for a body over 64 KiB',
    );
    await problem(await predict(null, { raw: `{"instances": [[1, 2${padding}` }), 400, 'body.malformed_json');
    body = await problem(
      await predict(null, { raw: JSON.stringify({ instances: [[1, 2, 3]] }) + padding }),
      400,
      'instances.invalid',
    );
    assert.match(body.errors![0].reason, /has 3 values/);

    body = await problem(await predict({ instances: [{ ...penguin, island: 'Atlantis' }] }), 400, 'instances.invalid');
    assert.match(body.errors![0].reason, /one of "Biscoe", "Dream", "Torgersen"/);

    body = await problem(await predict({ instances: ['a text'] }), 400, 'instances.invalid');
    assert.match(body.errors![0].reason, /takes features, not text/);

    body = await problem(await predict({ instances: Array.from({ length: 201 }, () => penguin) }), 400, 'body.invalid');
    assert.equal(body.errors?.[0]?.path, 'instances');
    assert.match(body.errors[0].reason, /at most 200 instances/);

    await problem(await predict({ instances: [] }), 400, 'body.invalid');
    body = await problem(await predict({ rows: [penguin] }), 400, 'body.invalid');
    assert.equal(body.errors?.[0]?.path, 'instances');
    await problem(await predict(null, { raw: '{"instances": [' }), 400, 'body.malformed_json');
    await problem(await predict({ instances: [penguin] }, { query: '?version=two' }), 400, 'query.invalid');
  });

  it('413 over the body limit, 415 without JSON', async () => {
    await problem(
      await predict(null, { raw: JSON.stringify({ instances: [penguin], pad: 'x'.repeat(260 * 1024) }) }),
      413,
      'body.too_large',
    );
    await problem(
      await predict(null, { raw: 'instances=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'body.not_json',
    );
  });

  it('401 without a key, with an unknown, malformed, revoked or expired key; a revocation applies within a second', async () => {
    await problem(await predict({ instances: [penguin] }, { key: null }), 401, 'auth.required');
    await problem(
      await predict({ instances: [penguin] }, { key: 'mdk_aaaaaaaa_' + 'A'.repeat(43) }),
      401,
      'auth.invalid_key',
    );
    await problem(
      await predict({ instances: [penguin] }, { key: key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') }),
      401,
      'auth.invalid_key',
    );
    await problem(
      await predict({ instances: [penguin] }, { headers: { authorization: 'Token abc' }, key: null }),
      401,
      'auth.malformed_header',
    );

    const user = await User.findOne({ where: { email: scientist.email } });
    const revocable = await createApiKey(systemActor, {
      ownerEmail: user!.email,
      name: 'to revoke',
      scopes: ['predict'],
    });
    assert.equal((await predict({ instances: [penguin] }, { key: revocable.key })).status, 200);
    await revokeApiKey(systemActor, revocable.apiKey.prefix);
    const body = await problem(
      await refusedWithin(() => predict({ instances: [penguin] }, { key: revocable.key })),
      401,
      'auth.key_revoked',
    );
    assert.match(body.detail, new RegExp(revocable.apiKey.prefix));

    const expiring = await createApiKey(systemActor, {
      ownerEmail: user!.email,
      name: 'to expire',
      scopes: ['predict'],
      expiresAt: new Date(Date.now() + 60_000),
    });
    assert.equal((await predict({ instances: [penguin] }, { key: expiring.key })).status, 200);
    await ApiKey.update({ expiresAt: new Date(Date.now() - 1_000) }, { where: { id: expiring.apiKey.id } });
    await problem(
      await refusedWithin(() => predict({ instances: [penguin] }, { key: expiring.key })),
      401,
      'auth.key_expired',
    );
  });

  it("403 without the predict scope, or when the owner's role may not predict", async () => {
    const user = await User.findOne({ where: { email: scientist.email } });
    const readOnly = await createApiKey(systemActor, {
      ownerEmail: user!.email,
      name: 'reader',
      scopes: ['records:read'],
    });
    const body = await problem(
      await predict({ instances: [penguin] }, { key: readOnly.key }),
      403,
      'auth.missing_scope',
    );
    assert.match(body.detail, /"predict" scope/);

    const other = await createTestUser('data_scientist');
    const demoted = await createApiKey(systemActor, { ownerEmail: other.email, name: 'demoted', scopes: ['predict'] });
    assert.equal((await predict({ instances: [penguin] }, { key: demoted.key })).status, 200);
    await User.update({ role: 'content_manager' }, { where: { id: other.id } });
    await problem(
      await refusedWithin(() => predict({ instances: [penguin] }, { key: demoted.key })),
      403,
      'auth.role_forbidden',
    );
  });

  it('404 for an unknown model, version or alias; 404 problem for an unknown route', async () => {
    await problem(
      await fetch(`${server.baseUrl}/api/v1/models/no-such-model/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ instances: [penguin] }),
      }),
      404,
      'model.not_found',
    );
    await problem(await predict({ instances: [penguin] }, { query: '?version=999' }), 404, 'version.not_found');
    await problem(await predict({ instances: [penguin] }, { query: '?alias=canary' }), 404, 'alias.not_found');
    await problem(
      await fetch(`${server.baseUrl}/api/v1/nothing-here`, { headers: { authorization: `Bearer ${key}` } }),
      404,
      'route.not_found',
    );
  });

  it('503 when the version cannot be loaded', async () => {
    const broken = await ModelVersion.unscoped().findByPk(v1.id);
    const copy = await ModelVersion.create({
      ...broken!.get(),
      id: undefined,
      version: 99,
      onnx: Buffer.from('not an onnx model'),
      parentVersionId: null,
      createdAt: undefined,
    });
    const body = await problem(
      await predict({ instances: [penguin] }, { query: '?version=99' }),
      503,
      'model.load_failed',
    );
    assert.match(body.detail, /Version 99/);
    await copy.destroy().catch(() => undefined);
  });

  it('429 with Retry-After and RateLimit headers once a key passes its own limit', async () => {
    const user = await User.findOne({ where: { email: scientist.email } });
    const limited = await createApiKey(systemActor, {
      ownerEmail: user!.email,
      name: 'limited',
      scopes: ['predict'],
      rateLimit: 3,
    });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i += 1) {
      last = await predict({ instances: [penguin] }, { key: limited.key });
      statuses.push(last.status);
      if (last.status === 200) {
        assert.equal(last.headers.get('ratelimit-limit'), '3');
        await last.text();
      }
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(last!.headers.get('retry-after')) >= 1);
    assert.equal(last!.headers.get('ratelimit-remaining'), '0');
    const body = await problem(last!, 429, 'rate_limited');
    assert.match(body.detail, /limit is 3 per minute/);
  });

  it('CORS: a configured origin gets the preflight and the answer; another origin gets no CORS headers; the console never', async () => {
    const allowed = await fetch(`${server.baseUrl}/api/v1/models/${modelName}/predict`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
    const answer = await predict({ instances: [penguin] }, { headers: { origin: 'https://app.example.com' } });
    assert.equal(answer.headers.get('access-control-allow-origin'), 'https://app.example.com');

    const denied = await fetch(`${server.baseUrl}/api/v1/models/${modelName}/predict`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const consoleAnswer = await fetch(`${server.baseUrl}/admin/login`, {
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(consoleAnswer.headers.get('access-control-allow-origin'), null);
  });

  it('a signed-in console user may call from the same origin; a write without the CSRF token is refused', async () => {
    const browser = new HttpSession(server.baseUrl);
    await browser.login(scientist.email, TEST_PASSWORD);
    const path = `/api/v1/models/${modelName}/predict`;
    const body = JSON.stringify({ instances: [penguin] });
    const forged = await browser.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await problem(forged, 403, 'auth.csrf');
    const crossSite = await browser.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        'x-xsrf-token': decodeURIComponent(browser.cookies.get('XSRF-TOKEN')!),
      },
      body,
    });
    await problem(crossSite, 403, 'auth.csrf');
    const ok = await browser.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-xsrf-token': decodeURIComponent(browser.cookies.get('XSRF-TOKEN')!),
      },
      body,
    });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(((await ok.json()) as PredictAnswer).version, v1.version);
  });
});
