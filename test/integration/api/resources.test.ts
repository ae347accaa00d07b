import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { AuditEvent, DataRecord, Job } from '../../../models/index.js';
import { systemActor, type Actor } from '../../../src/access/actor.js';
import { createApiKey } from '../../../src/auth/api-keys/create-api-key.js';
import type { ApiScope } from '../../../models/enums.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { createTestUser, startConsoleServer, type RunningConsole } from '../../support/console-server.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

interface Page<T> {
  items: T[];
  nextAfter: number | null;
}
interface RecordJson {
  id: number;
  datasetId: number;
  label: string | null;
  split: string;
  tags: string[];
  features: Record<string, unknown> | null;
  prediction: unknown;
}

describe('REST API: datasets, records, models, jobs, OpenAPI and the explorer (real HTTP)', () => {
  let server: RunningConsole;
  let modelName: string;
  let datasetId: number;
  let scientist: Actor & { type: 'user'; email: string };
  const keys: Record<string, string> = {};

  const call = async (path: string, options: { key: string; method?: string; body?: unknown }) =>
    fetch(`${server.baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        authorization: `Bearer ${options.key}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  const json = async <T>(response: Response, status = 200): Promise<T> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    return JSON.parse(text) as T;
  };

  before(async function () {
    this.timeout(180_000);
    await useTestDatabase();
    const user = await createTestUser('data_scientist');
    scientist = { type: 'user', ...user };
    const manager = await createTestUser('content_manager');
    const model = await createPenguinModel('resources');
    modelName = model.name;
    datasetId = model.datasetId;
    const v1 = (await trainModel(scientist, { model: modelName, maxIterations: 10 })).version;
    await trainModel(scientist, { model: modelName, maxIterations: 5 });
    await promoteAlias(scientist, { versionId: v1.id, alias: 'production' });
    const issue = async (owner: string, scopes: ApiScope[]) =>
      (await createApiKey(systemActor, { ownerEmail: owner, name: 'resources test', scopes })).key;
    keys.reader = await issue(user.email, ['records:read', 'predict']);
    keys.scientist = await issue(user.email, [
      'records:read',
      'records:write',
      'models:write',
      'jobs:write',
      'predict',
    ]);
    keys.manager = await issue(manager.email, ['records:read', 'records:write']);
    server = await startConsoleServer();
  });

  after(async () => server?.stop());

  it('/api/openapi.json is a valid OpenAPI 3.1 document listing every route; /api/docs serves the explorer without a CDN', async () => {
    const document = await json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      await fetch(`${server.baseUrl}/api/openapi.json`),
    );
    assert.equal(document.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(document) as never);
    const listed = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(listed, [
      'DELETE /api/v1/records/{id}',
      'GET /api/v1/change-sets/{id}',
      'GET /api/v1/change-sets/{id}/revert-preview',
      'GET /api/v1/datasets',
      'GET /api/v1/datasets/{id}',
      'GET /api/v1/jobs',
      'GET /api/v1/jobs/{id}',
      'GET /api/v1/models',
      'GET /api/v1/models/{name}',
      'GET /api/v1/models/{name}/drift',
      'GET /api/v1/models/{name}/versions',
      'GET /api/v1/records',
      'GET /api/v1/records/{id}',
      'GET /api/v1/records/{id}/history',
      'GET /api/v1/review-queues',
      'GET /api/v1/review-queues/{id}',
      'PATCH /api/v1/models/{name}/aliases/{alias}',
      'PATCH /api/v1/models/{name}/drift-thresholds',
      'PATCH /api/v1/records',
      'PATCH /api/v1/records/{id}',
      'POST /api/v1/change-sets/{id}/revert',
      'POST /api/v1/jobs/{id}/cancel',
      'POST /api/v1/models/{name}/predict',
      'POST /api/v1/models/{name}/score',
      'POST /api/v1/models/{name}/train',
      'POST /api/v1/records',
      'POST /api/v1/records/{id}/restore-version',
      'POST /api/v1/review-queues',
      'POST /api/v1/review-queues/{id}/claim',
      'POST /api/v1/review-queues/{id}/items/{position}/label',
      'POST /api/v1/review-queues/{id}/items/{position}/skip',
      'POST /api/v1/review-queues/{id}/items/{position}/undo',
      'POST /api/v1/review-queues/{id}/items/{position}/verdict',
    ]);
    const page = await fetch(`${server.baseUrl}/api/docs`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.doesNotMatch(html, /https?:\/\//, 'no third-party assets');
    assert.doesNotMatch(html, /<script>(?!<\/script>)/, 'no inline script');
    for (const asset of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.equal((await fetch(`${server.baseUrl}${asset[1]}`)).status, 200, asset[1]);
    }
  });

  it('datasets and records: filters, keyset pages that cover every record once, and single reads', async () => {
    const datasets = await json<Page<{ id: number; name: string; featureSchema: unknown[] }>>(
      await call('/api/v1/datasets?limit=500', { key: keys.reader! }),
    );
    assert.ok(datasets.items.some((d) => d.id === datasetId));
    const dataset = await json<{ id: number; labels: string[] }>(
      await call(`/api/v1/datasets/${datasetId}`, { key: keys.reader! }),
    );
    assert.deepEqual(dataset.labels, ['Adelie', 'Chinstrap', 'Gentoo']);

    const seen: number[] = [];
    let after: number | null = null;
    do {
      const page: Page<RecordJson> = await json(
        await call(`/api/v1/records?datasetId=${datasetId}&limit=100${after ? `&after=${after}` : ''}`, {
          key: keys.reader!,
        }),
      );
      seen.push(...page.items.map((r) => r.id));
      after = page.nextAfter;
    } while (after !== null);
    const total = await DataRecord.count({ where: { datasetId } });
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
    );

    const gentoo = await json<Page<RecordJson>>(
      await call(`/api/v1/records?datasetId=${datasetId}&label=Gentoo&split=test&order=-id&limit=500`, {
        key: keys.reader!,
      }),
    );
    assert.ok(gentoo.items.length > 0);
    assert.ok(gentoo.items.every((r) => r.label === 'Gentoo' && r.split === 'test'));
    assert.deepEqual(
      gentoo.items.map((r) => r.id),
      [...gentoo.items.map((r) => r.id)].sort((a, b) => b - a),
    );
    const compressed = await fetch(`${server.baseUrl}/api/v1/records?datasetId=${datasetId}&limit=300`, {
      headers: { authorization: `Bearer ${keys.reader}`, 'accept-encoding': 'gzip' },
    });
    assert.equal(compressed.headers.get('content-encoding'), 'gzip', 'a large page is compressed');
    assert.equal(((await compressed.json()) as Page<RecordJson>).items.length, 300);
    const tiny = await fetch(`${server.baseUrl}/api/v1/records?datasetId=${datasetId}&limit=1`, {
      headers: { authorization: `Bearer ${keys.reader}`, 'accept-encoding': 'gzip' },
    });
    assert.equal(tiny.headers.get('content-encoding'), null, 'a small one is not');
    const one = await json<RecordJson>(await call(`/api/v1/records/${gentoo.items[0]!.id}`, { key: keys.reader! }));
    assert.equal(one.id, gentoo.items[0]!.id);
    const bad = await call(`/api/v1/records?split=validation&limit=0`, { key: keys.reader! });
    const problem = await json<{ errors: Array<{ path: string }> }>(bad, 400);
    assert.deepEqual(problem.errors.map((e) => e.path).sort(), ['limit', 'split']);
    await json(await call('/api/v1/records/999999999', { key: keys.reader! }), 404);
  });

  it("records: create, change and delete with the console's rules, each write audited; roles limit the fields", async () => {
    const features = {
      beak_length_mm: 40,
      beak_depth_mm: 18,
      flipper_length_mm: 190,
      body_mass_g: 3800,
      island: 'Dream',
      sex: 'FEMALE',
    };
    await json(
      await call('/api/v1/records', { key: keys.reader!, method: 'POST', body: { datasetId, features } }),
      403,
    );
    const created = await json<RecordJson>(
      await call('/api/v1/records', {
        key: keys.manager!,
        method: 'POST',
        body: { datasetId, features, label: 'Adelie', tags: ['api'] },
      }),
      201,
    );
    assert.equal(created.label, 'Adelie');
    const createdEvent = await AuditEvent.findOne({
      where: { action: 'records.create', recordIds: [String(created.id)] },
    });
    assert.ok(createdEvent, 'audited');
    assert.equal(createdEvent.actorType, 'api_key');

    const wrong = await json<{ errors: Array<{ path: string; reason: string }> }>(
      await call('/api/v1/records', {
        key: keys.manager!,
        method: 'POST',
        body: { datasetId, features: { ...features, island: 'Atlantis', wings: 2 } },
      }),
      400,
    );
    assert.deepEqual(wrong.errors.map((e) => e.path).sort(), ['features.island', 'features.wings']);
    const badLabel = await json<{ detail: string }>(
      await call('/api/v1/records', {
        key: keys.manager!,
        method: 'POST',
        body: { datasetId, features, label: 'Emperor' },
      }),
      400,
    );
    assert.match(badLabel.detail, /not one of the dataset's labels/);

    const relabelled = await json<RecordJson>(
      await call(`/api/v1/records/${created.id}`, { key: keys.scientist!, method: 'PATCH', body: { label: 'Gentoo' } }),
    );
    assert.equal(relabelled.label, 'Gentoo');
    const refused = await json<{ code: string; detail: string }>(
      await call(`/api/v1/records/${created.id}`, { key: keys.scientist!, method: 'PATCH', body: { split: 'test' } }),
      403,
    );
    assert.equal(refused.code, 'records.field_forbidden');
    const update = await AuditEvent.findOne({
      where: { action: 'records.update', recordIds: [String(created.id)], outcome: 'success' },
    });
    assert.deepEqual(update!.before, { label: 'Adelie' });
    assert.deepEqual(update!.after, { label: 'Gentoo' });

    assert.equal((await call(`/api/v1/records/${created.id}`, { key: keys.manager!, method: 'DELETE' })).status, 204);
    // Deleted, not missing: 410 says when, by whom (the key that deleted it) and how to restore it.
    const gone = await json<{ code: string; detail: string }>(
      await call(`/api/v1/records/${created.id}`, { key: keys.manager! }),
      410,
    );
    assert.equal(gone.code, 'record.deleted');
    assert.match(gone.detail, new RegExp(`^Record ${created.id} was deleted on .* UTC by API key mdk_`));
    assert.ok(await DataRecord.findByPk(created.id, { paranoid: false }), 'soft-deleted: an admin can restore it');
  });

  it('models: list with aliases, versions with metrics, promotion with models:write only', async () => {
    const models = await json<Page<{ name: string; aliases: Record<string, number> }>>(
      await call('/api/v1/models?limit=500', { key: keys.reader! }),
    );
    assert.deepEqual(models.items.find((m) => m.name === modelName)!.aliases, { production: 1 });
    const versions = await json<Page<{ version: number; metrics: Record<string, unknown> }>>(
      await call(`/api/v1/models/${modelName}/versions`, { key: keys.reader! }),
    );
    assert.deepEqual(
      versions.items.map((v) => v.version),
      [2, 1],
    );
    assert.ok('accuracy' in versions.items[0]!.metrics);

    const denied = await json<{ code: string }>(
      await call(`/api/v1/models/${modelName}/aliases/production`, {
        key: keys.reader!,
        method: 'PATCH',
        body: { version: 2 },
      }),
      403,
    );
    assert.equal(denied.code, 'auth.missing_scope');
    const moved = await json<{ version: number; previousVersion: number }>(
      await call(`/api/v1/models/${modelName}/aliases/production`, {
        key: keys.scientist!,
        method: 'PATCH',
        body: { version: 2 },
      }),
    );
    assert.deepEqual([moved.previousVersion, moved.version], [1, 2]);
    const model = await json<{ aliases: Record<string, number> }>(
      await call(`/api/v1/models/${modelName}`, { key: keys.reader! }),
    );
    assert.deepEqual(model.aliases, { production: 2 });
    await json(
      await call(`/api/v1/models/${modelName}/aliases/production`, {
        key: keys.scientist!,
        method: 'PATCH',
        body: { version: 9 },
      }),
      404,
    );
  });

  it("jobs: queue scoring, read it, 409 when cancelling a finished job; other people's jobs read as missing", async () => {
    const queued = await json<{ job: { id: number; status: string }; matching: number }>(
      await call(`/api/v1/models/${modelName}/score`, {
        key: keys.scientist!,
        method: 'POST',
        body: { filter: { split: 'test' } },
      }),
      202,
    );
    assert.ok(queued.matching > 0);
    const job = await json<{ id: number; kind: string; status: string }>(
      await call(`/api/v1/jobs/${queued.job.id}`, { key: keys.scientist! }),
    );
    assert.equal(job.kind, 'score');
    const mine = await json<Page<{ id: number }>>(await call('/api/v1/jobs', { key: keys.scientist! }));
    assert.ok(mine.items.some((j) => j.id === job.id));

    const other = await createTestUser('data_scientist');
    const otherKey = (
      await createApiKey(systemActor, { ownerEmail: other.email, name: 'other', scopes: ['jobs:write'] })
    ).key;
    await json(await call(`/api/v1/jobs/${job.id}`, { key: otherKey }), 404);
    const theirs = await json<Page<{ id: number }>>(await call('/api/v1/jobs', { key: otherKey }));
    assert.ok(!theirs.items.some((j) => j.id === job.id));

    await Job.update({ status: 'succeeded', finishedAt: new Date() }, { where: { id: job.id } });
    const conflict = await json<{ code: string }>(
      await call(`/api/v1/jobs/${job.id}/cancel`, { key: keys.scientist!, method: 'POST' }),
      409,
    );
    assert.equal(conflict.code, 'job.finished');
    await json(await call(`/api/v1/models/${modelName}/score`, { key: keys.manager!, method: 'POST', body: {} }), 403);
  });
});
