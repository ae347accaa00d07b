import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { AuditEvent, Job, ModelAlias, sequelizeOf } from '../../../models/index.js';
import type { JobKind } from '../../../models/enums.js';
import type { Actor } from '../../../src/access/actor.js';
import { chartCache } from '../../../src/charts/chart-cache.js';
import { datasetHub } from '../../../src/datasets/dataset-hub.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { updateRecord } from '../../../src/records/save-record.js';
import { modelHub } from '../../../src/registry/model-hub.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { aliasesOfVersions } from '../../../src/registry/version-aliases.js';
import { userActivity } from '../../../src/users/user-activity.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { createPenguinModel } from '../../support/penguin-model.js';

/** A finished job row as the worker leaves it (no queue needed: the hubs only read jobs). */
const jobOf = (kind: JobKind, params: Record<string, unknown>, createdById: number | null) =>
  Job.create({
    kind,
    params,
    status: 'succeeded',
    progressTotal: 10,
    progressDone: 10,
    checkpoint: null,
    result: null,
    error: null,
    lockedBy: null,
    heartbeatAt: null,
    startedAt: new Date(),
    finishedAt: new Date(),
    createdById,
  });

describe('hubs: the model, dataset and user pages read per role (real Postgres)', () => {
  let server: RunningConsole;
  let admin: Actor & { type: 'user' };
  let scientist: Actor & { type: 'user' };
  let manager: Actor & { type: 'user' };
  let auditor: Actor & { type: 'user' };
  let modelId: number;
  let modelName: string;
  let datasetId: number;
  let v1: number;
  let v2: number;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    admin = { type: 'user', ...(await createTestUser('admin')) };
    scientist = { type: 'user', ...(await createTestUser('data_scientist')) };
    manager = { type: 'user', ...(await createTestUser('content_manager')) };
    auditor = { type: 'user', ...(await createTestUser('auditor')) };
    const model = await createPenguinModel('hubs');
    modelId = model.id;
    modelName = model.name;
    datasetId = model.datasetId;
    v1 = (await trainModel(scientist, { model: modelName, maxIterations: 5 })).version.id;
    v2 = (await trainModel(admin, { model: modelName, maxIterations: 8 })).version.id;
    await promoteAlias(scientist, { versionId: v1, alias: 'production' });
    await promoteAlias(admin, { versionId: v2, alias: 'production' });
    await promoteAlias(scientist, { versionId: v1, alias: 'staging' });
    await jobOf('train', { model: modelName }, scientist.id);
    await jobOf('score', { model: modelName, datasetId }, admin.id);
    await jobOf('import', { datasetId, mode: 'apply' }, manager.id);
    await jobOf('import', { datasetId, mode: 'dry-run' }, admin.id);
    await jobOf('import', { datasetId: datasetId + 1_000, mode: 'apply' }, manager.id);
  });
  after(async () => server?.stop());

  it('lists a model’s versions newest first with metrics, aliases, creators and training data', async () => {
    const hub = await modelHub(scientist, modelId);
    assert.equal(hub.name, modelName);
    assert.equal(hub.versionCount, 2);
    assert.deepEqual(
      hub.versions!.map((v) => [v.version, v.aliases, v.createdBy]),
      [
        [2, ['production'], 'another user'],
        [1, ['staging'], scientist.email],
      ],
      'a data scientist may not read users: their own email, nobody else’s',
    );
    assert.deepEqual(
      (await modelHub(auditor, modelId)).versions!.map((v) => v.createdBy),
      [admin.email, scientist.email],
    );
    assert.equal(hub.createdBy, 'system');
    const [second, first] = hub.versions!;
    assert.equal(typeof first!.accuracy, 'number');
    assert.ok(first!.accuracy! > 0.5 && first!.accuracy! <= 1);
    assert.equal(second!.parentVersion, 1, 'v2 was retrained from v1');
    assert.equal(first!.trainedOn!.datasetId, datasetId);
    assert.match(first!.trainedOn!.dataset!, /^hubs-penguins-/);
    assert.ok(first!.trainedOn!.rows > 100);
    assert.equal(first!.trainedOn!.filter.split, 'train');
  });

  it('shows each alias with the version it serves, who moved it and its latest moves', async () => {
    const hub = await modelHub(scientist, modelId);
    const production = hub.aliases!.find((a) => a.alias === 'production')!;
    assert.equal(production.version, 2);
    assert.equal(production.updatedBy, admin.email);
    assert.deepEqual(
      production.moves!.map((m) => [m.fromVersion, m.toVersion, m.actor]),
      [
        [1, 2, admin.email],
        [null, 1, scientist.email],
      ],
    );
    assert.deepEqual(
      hub.aliases!.map((a) => a.alias),
      ['production', 'staging'],
    );
    assert.deepEqual(hub.may, { promote: true, rollback: true, aliasHistory: true, showVersion: true, showJob: true });
  });

  it('shows a data scientist only their own jobs of the model, an auditor all of them, read-only', async () => {
    const own = await modelHub(scientist, modelId);
    assert.equal(own.jobsScope, 'own');
    assert.deepEqual(
      own.jobs!.map((j) => [j.kind, j.createdBy]),
      [['train', scientist.email]],
    );
    const all = await modelHub(auditor, modelId);
    assert.equal(all.jobsScope, 'all');
    assert.deepEqual(
      all.jobs!.map((j) => j.kind),
      ['score', 'train'],
    );
    assert.equal(all.may.promote, false);
    assert.equal(all.may.rollback, false);
  });

  it('gives a role that may not list versions no version or alias section', async () => {
    const hub = await modelHub(manager, modelId);
    assert.equal(hub.versions, null);
    assert.equal(hub.aliases, null);
  });

  it('counts a dataset’s live records by label and split exactly as SQL does', async () => {
    chartCache.clear();
    const hub = await datasetHub(auditor, datasetId);
    const rows = await sequelizeOf().query<{ label: string | null; split: string; n: string }>(
      `SELECT label, split::text AS split, count(*) AS n FROM records
        WHERE dataset_id = :datasetId AND deleted_at IS NULL GROUP BY label, split`,
      { replacements: { datasetId }, type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      assert.equal(
        hub.counts!.value.find((c) => c.label === row.label && c.split === row.split)?.records,
        Number(row.n),
        `${row.label}/${row.split}`,
      );
    }
    assert.equal(
      hub.total,
      rows.reduce((sum, r) => sum + Number(r.n), 0),
    );
    assert.deepEqual(hub.labels, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.deepEqual(hub.splits, ['train', 'test', 'holdout']);
  });

  it('lists the models trained on a dataset with the version production serves', async () => {
    const hub = await datasetHub(scientist, datasetId);
    assert.equal(hub.models!.length, 1);
    const [model] = hub.models!;
    assert.equal(model!.name, modelName);
    assert.equal(model!.versionCount, 2);
    assert.equal(model!.production!.version, 2);
    assert.equal(typeof model!.production!.accuracy, 'number');
  });

  it('shows a content manager their own imports into the dataset and no models; an auditor every import', async () => {
    const own = await datasetHub(manager, datasetId);
    assert.equal(own.models, null, 'content managers may not list models');
    assert.equal(own.importsScope, 'own');
    assert.deepEqual(
      own.imports!.map((j) => [j.kind, j.createdBy]),
      [['import', manager.email]],
    );
    const all = await datasetHub(auditor, datasetId);
    assert.deepEqual(
      all.imports!.map((j) => j.createdBy),
      [admin.email, manager.email],
      'newest first, only this dataset’s imports',
    );
  });

  it('shows a user’s latest audited actions newest first, to roles that read the whole audit log', async () => {
    const record = await sequelizeOf().query<{ id: string }>(
      'SELECT id FROM records WHERE dataset_id = :datasetId ORDER BY id LIMIT 1',
      { replacements: { datasetId }, type: QueryTypes.SELECT },
    );
    await updateRecord(manager, Number(record[0]!.id), { tags: ['hub-activity'] });
    const activity = await userActivity(auditor, manager.id);
    assert.equal(activity.email, manager.email);
    const expected = await AuditEvent.findAll({
      where: { actorType: 'user', actorId: String(manager.id) },
      order: [['seq', 'DESC']],
      limit: 20,
    });
    assert.deepEqual(
      activity.events!.map((e) => e.seq),
      expected.map((e) => Number(e.seq)),
    );
    assert.equal(activity.events![0]!.action, 'records.update');
    assert.deepEqual(activity.events![0]!.recordIds, [String(record[0]!.id)]);
    assert.equal((await userActivity(scientist, manager.id)).events, null, 'a data scientist reads only record events');
  });

  it('names the aliases of each version in one query', async () => {
    const aliases = await aliasesOfVersions([v1, v2, 999_999]);
    assert.deepEqual(aliases.get(v1), ['staging']);
    assert.deepEqual(aliases.get(v2), ['production']);
    assert.equal(aliases.has(999_999), false);
    assert.equal(await ModelAlias.count({ where: { modelId } }), 2);
  });

  it('answers the console’s hub actions per the rule table and never with another role’s sections', async () => {
    const session = async (email: string) => {
      const s = new HttpSession(server.baseUrl);
      await s.login(email, TEST_PASSWORD);
      return s;
    };
    const asScientist = await session(scientist.email);
    const model = await asScientist.api(`/resources/models/records/${modelId}/hub`);
    assert.equal(model.status, 200);
    const body = (await model.json()) as { hub: { versions: unknown[]; jobsScope: string } };
    assert.equal(body.hub.versions.length, 2);
    assert.equal(body.hub.jobsScope, 'own');
    assert.equal((await asScientist.api(`/resources/users/records/${manager.id}/hub`)).status, 403);
    const asManager = await session(manager.email);
    assert.equal((await asManager.api(`/resources/models/records/${modelId}/hub`)).status, 403);
    const dataset = (await (await asManager.api(`/resources/datasets/records/${datasetId}/hub`)).json()) as {
      hub: { models: unknown; imports: unknown[] };
    };
    assert.equal(dataset.hub.models, null);
    assert.equal(dataset.hub.imports.length, 1);
  });
});
