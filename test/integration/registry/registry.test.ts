import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AuditEvent, ModelAlias, ModelVersion } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { Forbidden } from '../../../src/errors/domain-error.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { aliasAt, aliasHistory } from '../../../src/registry/alias-history.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { planRollback, rollbackAlias } from '../../../src/registry/rollback-alias.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';

describe('model registry: train, version, promote, roll back (real Postgres)', () => {
  let scientist: Actor;
  let contentManager: Actor;
  let modelName: string;
  let modelId: number;

  before(async () => {
    await useTestDatabase();
    const ds = await createTestUser('data_scientist');
    scientist = { type: 'user', ...ds };
    const cm = await createTestUser('content_manager');
    contentManager = { type: 'user', ...cm };
    const model = await createPenguinModel('registry');
    modelName = model.name;
    modelId = model.id;
  });

  it('trains a version with metrics, a data snapshot and the ONNX bytes with their sha256', async () => {
    const result = await trainModel(scientist, { model: modelName });
    const version = await ModelVersion.unscoped().findByPk(result.version.id);
    assert.equal(version?.version, 1);
    assert.ok((result.accuracy ?? 0) >= 0.95, `accuracy ${result.accuracy}`);
    assert.equal(version.sha256, createHash('sha256').update(version.onnx).digest('hex'));
    assert.equal(version.trainingSnapshot?.rowCount, result.trainingRows);
    assert.match(version.trainingSnapshot?.contentHash ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual((version.metrics as { labels: string[] }).labels, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.ok(
      await AuditEvent.findOne({ where: { action: 'model_versions.create', recordIds: [String(version.id)] } }),
    );
  });

  it('numbers concurrent trainings without gaps or duplicates', async () => {
    const results = await Promise.all([
      trainModel(scientist, { model: modelName }),
      trainModel(scientist, { model: modelName, l2: 0.001 }),
    ]);
    assert.deepEqual(results.map((r) => r.version.version).sort(), [2, 3]);
    const versions = await ModelVersion.findAll({ where: { modelId }, order: [['version', 'ASC']] });
    assert.deepEqual(
      versions.map((v) => v.version),
      [1, 2, 3],
    );
  });

  it('promotes, answers "what served production when", and rolls back, all audited', async () => {
    const [v1, v2] = await ModelVersion.findAll({ where: { modelId }, order: [['version', 'ASC']] });
    const first = await promoteAlias(scientist, { versionId: v1!.id, alias: 'Production' });
    assert.deepEqual(first, { model: modelName, alias: 'production', version: 1, previousVersion: null });
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await promoteAlias(scientist, { versionId: v2!.id, alias: 'production' });
    assert.equal(second.previousVersion, 1);
    assert.equal((await aliasAt(modelId, 'production', between))?.toVersion, 1);
    assert.equal((await aliasAt(modelId, 'production', new Date()))?.toVersion, 2);

    const alias = (await ModelAlias.findOne({ where: { modelId, alias: 'production' } }))!;
    assert.deepEqual(await planRollback(alias.id), {
      model: modelName,
      alias: 'production',
      fromVersion: 2,
      toVersion: 1,
      toVersionId: v1!.id,
    });
    const rolled = await rollbackAlias(scientist, alias.id);
    assert.deepEqual([rolled.previousVersion, rolled.version], [2, 1]);
    assert.equal((await alias.reload()).versionId, v1!.id);
    assert.deepEqual(
      (await aliasHistory(modelId, 'production')).map((m) => [m.fromVersion, m.toVersion]),
      [
        [2, 1],
        [1, 2],
        [null, 1],
      ],
    );
    await assert.rejects(rollbackAlias(scientist, alias.id), /no earlier version/);
  });

  it('walks back through earlier versions on repeated roll-backs, like an undo stack', async () => {
    const [v1, v2, v3] = await ModelVersion.findAll({ where: { modelId }, order: [['version', 'ASC']] });
    for (const v of [v1!, v2!, v3!, v3!]) await promoteAlias(scientist, { versionId: v.id, alias: 'canary' });
    const alias = (await ModelAlias.findOne({ where: { modelId, alias: 'canary' } }))!;
    assert.equal((await rollbackAlias(scientist, alias.id)).version, 2);
    assert.equal((await rollbackAlias(scientist, alias.id)).version, 1);
    await assert.rejects(rollbackAlias(scientist, alias.id), /no earlier version/);
  });

  it('refuses a promotion or training by a content manager and records the denial', async () => {
    const [v1] = await ModelVersion.findAll({ where: { modelId }, order: [['version', 'ASC']] });
    await assert.rejects(promoteAlias(contentManager, { versionId: v1!.id, alias: 'staging' }), Forbidden);
    await assert.rejects(trainModel(contentManager, { model: modelName }), Forbidden);
    assert.equal(await ModelAlias.count({ where: { modelId, alias: 'staging' } }), 0);
    const denied = await AuditEvent.findAll({
      where: { outcome: 'denied', actorId: String((contentManager as { id: number }).id) },
    });
    assert.deepEqual(denied.map((e) => e.action).sort(), ['model_aliases.promote', 'models.train']);
  });

  it('explains bad input: unknown model, bad alias, bad hyperparameters', async () => {
    await assert.rejects(trainModel(scientist, { model: 'no-such-model' }), /No model named "no-such-model"/);
    const [v1] = await ModelVersion.findAll({ where: { modelId } });
    await assert.rejects(promoteAlias(scientist, { versionId: v1!.id, alias: '1st prod!' }), /aliases are lower case/);
    await assert.rejects(trainModel(scientist, { model: modelName, maxEpochs: 0 }), /maxEpochs/);
  });

  describe('from the console', () => {
    let server: RunningConsole;
    before(async () => {
      server = await startConsoleServer();
    });
    after(() => server.stop());

    const signIn = async (role: 'data_scientist' | 'content_manager') => {
      const user = await createTestUser(role);
      const http = new HttpSession(server.baseUrl);
      await http.login(user.email, TEST_PASSWORD);
      return http;
    };

    it('lets a data scientist promote a version to staging and download its ONNX file', async () => {
      const http = await signIn('data_scientist');
      const [, , v3] = await ModelVersion.unscoped().findAll({ where: { modelId }, order: [['version', 'ASC']] });
      const response = await http.api(`/resources/modelVersions/records/${v3!.id}/promote`, 'POST', {
        alias: 'staging',
      });
      const body = (await response.json()) as { notice: { type: string; message: string } };
      assert.equal(body.notice.type, 'success', body.notice.message);
      assert.match(body.notice.message, /"staging" now v3/);
      assert.equal((await ModelAlias.findOne({ where: { modelId, alias: 'staging' } }))?.versionId, v3!.id);

      const file = await http.request(`/admin/model-versions/${v3!.id}/onnx`);
      assert.equal(file.status, 200);
      assert.match(file.headers.get('content-disposition') ?? '', /attachment; filename=".*-v3\.onnx"/);
      const bytes = Buffer.from(await file.arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('hex'), v3!.sha256);
    });

    it('gives a content manager 403 for promote and download', async () => {
      const http = await signIn('content_manager');
      const [v1] = await ModelVersion.findAll({ where: { modelId } });
      assert.equal(
        (await http.api(`/resources/modelVersions/records/${v1!.id}/promote`, 'POST', { alias: 'staging' })).status,
        403,
      );
      assert.equal((await http.request(`/admin/model-versions/${v1!.id}/onnx`)).status, 403);
    });

    it('shows a clear notice for a bad alias instead of failing', async () => {
      const http = await signIn('data_scientist');
      const [v1] = await ModelVersion.findAll({ where: { modelId } });
      const body = (await (
        await http.api(`/resources/modelVersions/records/${v1!.id}/promote`, 'POST', { alias: 'no spaces allowed' })
      ).json()) as { notice: { type: string; message: string } };
      assert.equal(body.notice.type, 'error');
      assert.match(body.notice.message, /aliases are lower case/);
    });
  });
});
