import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { DataRecord, Dataset, Job } from '../../../models/index.js';
import { systemActor } from '../../../src/access/actor.js';
import { cancelJob } from '../../../src/jobs/cancel-job.js';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { stopWorker } from '../../../src/jobs/run-worker.js';
import { metricsEndpoint } from '../../../src/server/metrics-endpoint.js';
import { unique } from '../../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { hasSample, parseMetrics, sampleValue, type Sample } from '../../support/prometheus.js';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';

describe('GET /metrics (Prometheus, real server, real Postgres)', () => {
  let server: RunningConsole;

  before(async () => {
    server = await startConsoleServer({ METRICS_TOKEN: TOKEN });
    await stopWorker(); // no worker in this process may take the jobs queued below
  });
  after(() => server.stop());

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    return parseMetrics(await response.text());
  };

  it('refuses a scrape without the token or with a wrong one', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer not-the-token' },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      const response = await fetch(`${server.baseUrl}/metrics`, { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.doesNotMatch(await response.text(), /modeldesk_/);
    }
  });

  it('does not exist without a configured METRICS_TOKEN, even for a client on 127.0.0.1', async () => {
    const app = express()
      .use(metricsEndpoint({ METRICS_TOKEN: undefined }))
      .use((_req, res) => res.status(404).end());
    const bare = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const { port } = bare.address() as AddressInfo;
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404);
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });

  it('answers in the text exposition format, without a session cookie, and process metrics carry the prefix', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(response.headers.getSetCookie(), []);
    const text = await response.text();
    assert.match(text, /^# TYPE modeldesk_process_cpu_user_seconds_total counter$/m);
    assert.match(text, /^# TYPE modeldesk_http_request_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE modeldesk_job_duration_seconds histogram$/m);
    parseMetrics(text); // every line is a comment or a well-formed sample
  });

  it('counts requests by method, route template and status: a 404, a login and console API calls with ids', async () => {
    const user = await createTestUser('content_manager');
    const dataset = await Dataset.create({
      name: unique('metrics'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    const record = await DataRecord.create({
      datasetId: dataset.id,
      text: 'hello',
      features: null,
      label: 'ham',
      source: 'test',
    });
    const before = await scrape();
    const count = (samples: Sample[], labels: Record<string, string>) =>
      sampleValue(samples, 'modeldesk_http_requests_total', labels);

    // Each body is read to its end: the server counts a response once it has sent all of it.
    const status = async (response: Promise<Response>) => {
      const done = await response;
      await done.arrayBuffer();
      return done.status;
    };
    assert.equal(
      await status(fetch(`${server.baseUrl}/no/such/page/12345?email=${encodeURIComponent(user.email)}`)),
      404,
    );
    assert.equal(await status(fetch(`${server.baseUrl}/healthz`)), 200);
    const http = new HttpSession(server.baseUrl);
    assert.equal(await status(http.login(user.email, TEST_PASSWORD)), 302);
    assert.equal(await status(http.api(`/resources/records/records/${record.id}/show`)), 200);
    assert.equal(await status(http.api(`/resources/records/actions/list?filters.datasetId=${dataset.id}`)), 200);

    const after = await scrape();
    const grew = (labels: Record<string, string>, by = 1) =>
      assert.equal(count(after, labels) - count(before, labels), by, `${JSON.stringify(labels)} grew by ${by}`);
    grew({ method: 'GET', route: 'other', status: '404' });
    grew({ method: 'GET', route: '/healthz', status: '200' });
    grew({ method: 'POST', route: '/admin/login', status: '302' });
    grew({ method: 'GET', route: '/admin/api/resources/:resourceId/records/:recordId/:action', status: '200' });
    grew({ method: 'GET', route: '/admin/api/resources/:resourceId/actions/:action', status: '200' });
    const loginTimed = { method: 'POST', route: '/admin/login', status: '302' };
    assert.ok(sampleValue(after, 'modeldesk_http_request_duration_seconds_count', loginTimed) >= 1);
    assert.ok(sampleValue(after, 'modeldesk_http_request_duration_seconds_bucket', { ...loginTimed, le: '+Inf' }) >= 1);

    // Labels hold templates only: no ids, emails or query strings, whatever the URLs carried
    // (every segment is literal and starts with a letter, or is a :param).
    const routes = new Set(after.filter((s) => s.name.startsWith('modeldesk_http_')).map((s) => s.labels.route));
    for (const route of routes)
      assert.match(route ?? '', /^(other|(\/(:?[A-Za-z_][\w.-]*))+|\/)$/, `route label ${route}`);
    const labelText = after.flatMap((s) => Object.values(s.labels)).join('\n');
    for (const raw of [user.email, '@', dataset.name, 'no/such', '?', `/${record.id}`])
      assert.ok(!labelText.includes(raw), `a label contains ${raw}`);
  });

  it("reports this process's database pool", async () => {
    const samples = await scrape();
    const pool = (state: string) => sampleValue(samples, 'modeldesk_db_pool_connections', { state });
    for (const state of ['total', 'idle', 'in_use', 'waiting'])
      assert.ok(hasSample(samples, 'modeldesk_db_pool_connections', { state }), state);
    assert.ok(pool('total') >= 1, 'this test file has used the database');
    assert.ok(pool('total') >= pool('idle') + pool('in_use'), 'total counts connections still being opened too');
    assert.equal(sampleValue(samples, 'modeldesk_db_pool_max_connections'), 10);
  });

  it('shows a queued job in the queue depth and the job counts, and a cancelled one as finished', async () => {
    const before = await scrape();
    const job = await enqueueJob(systemActor, 'train', { model: unique('no-such-model') });
    const queued = await scrape();
    const delta = (after: Sample[], name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    assert.equal(delta(queued, 'modeldesk_queue_depth', { kind: 'train', state: 'created' }), 1);
    assert.equal(delta(queued, 'modeldesk_jobs_unfinished', { kind: 'train', status: 'queued' }), 1);
    assert.ok(
      hasSample(queued, 'modeldesk_queue_depth', { kind: 'score', state: 'active' }),
      'every queue and state is reported, zeros too',
    );
    assert.ok(
      hasSample(queued, 'modeldesk_jobs_total', { kind: 'export', status: 'failed' }),
      'every kind and final status is reported, zeros too',
    );

    await cancelJob(systemActor, job.id);
    const cancelled = await scrape();
    assert.equal(delta(cancelled, 'modeldesk_queue_depth', { kind: 'train', state: 'created' }), 0);
    assert.equal(delta(cancelled, 'modeldesk_jobs_unfinished', { kind: 'train', status: 'queued' }), 0);
    assert.equal(delta(cancelled, 'modeldesk_jobs_total', { kind: 'train', status: 'cancelled' }), 1);
  });

  it('derives job counts and durations from the jobs table, so jobs finished by any worker process count', async () => {
    const before = await scrape();
    const finishedAt = new Date();
    // As a worker in another process leaves it: succeeded after 3 seconds.
    await Job.create({
      kind: 'evaluate',
      params: {},
      status: 'succeeded',
      progressTotal: null,
      checkpoint: null,
      result: null,
      error: null,
      lockedBy: null,
      heartbeatAt: null,
      startedAt: new Date(finishedAt.getTime() - 3_000),
      finishedAt,
      createdById: null,
    });
    const after = await scrape();
    const labels = { kind: 'evaluate', status: 'succeeded' };
    const delta = (name: string, extra: Record<string, string> = {}) =>
      sampleValue(after, name, { ...labels, ...extra }) - sampleValue(before, name, { ...labels, ...extra });
    assert.equal(delta('modeldesk_jobs_total'), 1);
    assert.equal(delta('modeldesk_job_duration_seconds_count'), 1);
    assert.equal(delta('modeldesk_job_duration_seconds_bucket', { le: '1' }), 0);
    assert.equal(delta('modeldesk_job_duration_seconds_bucket', { le: '5' }), 1);
    assert.equal(delta('modeldesk_job_duration_seconds_bucket', { le: '+Inf' }), 1);
    assert.ok(Math.abs(delta('modeldesk_job_duration_seconds_sum') - 3) < 0.01);
  });
});
