import assert from 'node:assert/strict';
import { createAdmin } from '../../admin/index.js';
import { Role } from '../../src/access/roles.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { cancelQueuedJobs } from '../support/jobs.js';
import { insertReviewQueue } from '../support/review-queue.js';
import { inferenceStat, issuedKey, queuedJob, textDataset, trainedModel } from './fixtures.js';
import { assertSecurityHeaders, type Answer } from './security-headers-check.js';

const METRICS_TOKEN = 'metrics-token-for-the-header-test-0123456789';
const PENGUIN = {
  beak_length_mm: 40,
  beak_depth_mm: 18,
  flipper_length_mm: 190,
  body_mass_g: 3800,
  island: 'Dream',
  sex: 'FEMALE',
};

describe('security headers on every route (real server, real Postgres)', () => {
  let server: RunningConsole;
  let modelName: string;
  let key: string;
  const answers: Answer[] = [];

  /** Sends the request, keeps the answer for the checks, and returns it. */
  const record = async (label: string, send: () => Promise<Response>): Promise<Answer> => {
    const response = await send();
    const answer = { label, response, body: await response.text() };
    answers.push(answer);
    return answer;
  };
  const get = (path: string, init: RequestInit = {}) =>
    record(`${init.method ?? 'GET'} ${path}`, () => fetch(`${server.baseUrl}${path}`, { redirect: 'manual', ...init }));

  before(async function () {
    this.timeout(240_000);
    server = await startConsoleServer({ METRICS_TOKEN });
    const admin = await createTestUser('admin');
    const { model, versions } = await trainedModel('headers', admin);
    modelName = model.name;
    key = (await issuedKey(admin, ['predict', 'records:read', 'records:write', 'jobs:write', 'models:write'])).key;
    const { dataset, records } = await textDataset('headers', 2);
    await insertReviewQueue({ datasetId: dataset.id, versionId: versions[0].id }, [records[0]!.id]);
    await queuedJob(admin, model.name);
    await inferenceStat(versions[0].id);
  });
  after(async () => {
    await cancelQueuedJobs(); // leave the shared queue as we found it: no backlog for the next suite's worker
    await server?.stop();
  });

  it('sends them on the ops endpoints, the redirect at /, favicon and unknown paths', async () => {
    for (const path of [
      '/healthz',
      '/readyz',
      '/',
      '/favicon.ico',
      '/nope',
      '/admin/nope',
      '/api/nope',
      '/api/v1/nope',
      '/.env',
      '/admin/resources/%E0%A4%A',
      '/api/v1/records/%E0%A4%A',
    ]) {
      await get(path);
    }
    await get('/metrics');
    const metrics = await get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(metrics.response.status, 200);
    assert.equal((await get('/healthz', { method: 'HEAD' })).response.status, 200);
    for (const answer of answers.splice(0)) assertSecurityHeaders(answer);
  });

  it('sends them on the login page (signed out, wrong password), the console shell and every static asset it loads', async () => {
    const login = await get('/admin/login');
    assert.equal(login.response.status, 200);
    const wrong = await record('POST /admin/login (wrong password)', () =>
      fetch(`${server.baseUrl}/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=nobody%40example.com&password=wrong',
        redirect: 'manual',
      }),
    );
    assert.ok((wrong.body.match(/<script/gi) ?? []).length > 0, 'the login page runs scripts');
    await get('/admin');
    await get('/admin/api/resources/records/actions/list');
    const assets = [...new Set([...login.body.matchAll(/(?:src|href)="(\/admin\/[^"]+)"/g)].map((m) => m[1]!))];
    assert.ok(
      assets.some((a) => a.startsWith('/admin/frontend/assets/')),
      `static assets found: ${assets.join(', ')}`,
    );
    for (const asset of assets) {
      const answer = await get(asset);
      assert.equal(answer.response.status, 200, asset);
    }
    await get('/admin/frontend/assets/no-such-file.js');
    for (const answer of answers.splice(0)) assertSecurityHeaders(answer);
  });

  it('sends them on the API explorer, its assets and the OpenAPI document', async () => {
    const docs = await get('/api/docs');
    for (const [, asset] of docs.body.matchAll(/(?:src|href)="([^"]+)"/g))
      assert.equal((await get(asset!)).response.status, 200, asset);
    await get('/api/openapi.json');
    await get('/api/docs/assets/no-such-file.css');
    for (const answer of answers.splice(0)) assertSecurityHeaders(answer);
  });

  it('sends them on every /api/v1 route (answers and errors) and on the keyed predict fast path', async () => {
    const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const fill = (path: string) =>
      path.replace('{name}', modelName).replace('{alias}', 'production').replace('{id}', '1');
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: fill(path) })),
    );
    assert.ok(routes.length > 10);
    const authorization = { authorization: `Bearer ${key}` };
    for (const { method, path } of routes) {
      const json = { 'content-type': 'application/json' };
      await get(path, { method, headers: { ...json } }); // no credentials: 401
      await get(path, { method, headers: { authorization: 'Bearer mdk_not_a_key', ...json } }); // unknown key: 401
      await get(path, {
        method,
        headers: { ...authorization, ...json },
        ...(method === 'GET' ? {} : { body: '{"unexpected": true}' }),
      }); // 400, 404, 409…
      await get(path, { method, headers: { ...authorization }, ...(method === 'GET' ? {} : { body: 'not json' }) }); // 415
      await get(path, {
        method: 'OPTIONS',
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': method },
      });
    }
    const predictPath = `/api/v1/models/${modelName}/predict`;
    const predicted = await get(predictPath, {
      method: 'POST',
      headers: { ...authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [PENGUIN] }),
    });
    assert.equal(predicted.response.status, 200, predicted.body);
    const large = await get(predictPath, {
      method: 'POST',
      headers: { ...authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: Array.from({ length: 800 }, () => PENGUIN) }),
    });
    assert.equal(large.response.status, 200, 'a large body (answered by a worker thread)');
    await get(`/api/v1/models/no-such-model/predict`, {
      method: 'POST',
      headers: { ...authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [PENGUIN] }),
    });
    await get(`/api/v1/records?limit=0`, { headers: authorization });
    await get(`/api/v1/records/999999999`, { headers: authorization });
    for (const answer of answers.splice(0)) assertSecurityHeaders(answer);
  });

  // Every action's page and console API answer, for every role, allowed or refused, is checked by
  // access.test.ts on its own walk of the same routes (assertSecurityHeaders on each answer): walking
  // them here again cost this file most of its CPU.
  for (const role of Role.options) {
    it(`sends them on the console shell, the dashboard, every resource's page and the refusals ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} meets (every resource enumerated from AdminJS)`, async () => {
      const user = await createTestUser(role);
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      const statuses = new Set<number>();
      const visit = async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
        const answer = await record(`${role} ${init.method ?? 'GET'} ${path}`, () => http.request(path, init));
        statuses.add(answer.response.status);
        return answer;
      };
      const admin = createAdmin();
      await visit('/admin');
      await visit('/admin/api/dashboard', { headers: { accept: 'application/json' } });
      for (const resource of admin.resources) await visit(`/admin/resources/${resource.decorate().id()}`);
      // Refusals: no CSRF token (403), a method the console API does not take (405).
      await visit('/admin/api/resources/records/actions/new', {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      await visit('/admin/api/resources/records/actions/list', {
        method: 'PUT',
        headers: { accept: 'application/json' },
      });
      await visit('/admin/exports/records.csv');
      await visit('/admin/exports/audit-events.jsonl');
      await visit('/admin/model-versions/1/onnx');
      await visit('/admin/logout');
      assert.ok(statuses.has(200), `${role}: some pages answered 200 (${[...statuses].join(', ')})`);
      assert.ok(statuses.has(403), `${role}: some answers were refusals (${[...statuses].join(', ')})`);
      assert.ok(answers.length >= admin.resources.length + 8, `${answers.length} answers checked`);
      for (const answer of answers.splice(0)) assertSecurityHeaders(answer);
    });
  }
});
