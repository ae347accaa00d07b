import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Filter } from 'adminjs';
import { Op } from 'sequelize';
import { AuditEvent, ModelVersion, sequelizeOf } from '../../models/index.js';
import { flushRefusalCounts } from '../../src/audit/record-refusal.js';
import { consoleResources, createAdmin } from '../../admin/index.js';
import { UPLOAD_DIR, uploadRoutes } from '../../admin/uploads.js';
import { decide } from '../../src/access/decide.js';
import { Role } from '../../src/access/roles.js';
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

/**
 * Issue 19, item 1: a console action must take a file only from the multipart parser's own result.
 * Before the guard, `{"file": {"path": "/any/readable/file"}}` as JSON made the CSV import read and
 * store any file the server could read, and the ONNX upload register it.
 */
describe('security: files come only from the multipart parser, on every upload route (real server)', () => {
  let server: RunningConsole;
  let secretDir: string;
  /** A file outside the upload folder whose content must never come back nor be stored. */
  let secretCsv: string;
  let secretOnnx: string;
  const marker = `TOPSECRET${randomBytes(8).toString('hex')}`;
  let modelId: number;
  let datasetId: number;
  let onnx: Uint8Array;
  const sessions = new Map<Role, { http: HttpSession; id: number }>();

  before(async () => {
    await useTestDatabase();
    const model = await createPenguinModel('upload-origin');
    modelId = model.id;
    datasetId = model.datasetId;
    const train = await encodedPenguins(model.datasetId, 'train');
    onnx = buildExternalOnnx(
      fitCentroids(
        train.map((t) => t.row),
        train.map((t) => t.label),
        ['Adelie', 'Chinstrap', 'Gentoo'],
      ),
      { metadata: { note: marker } },
    );
    secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-secret-'));
    secretCsv = path.join(secretDir, 'secret.csv');
    fs.writeFileSync(secretCsv, `species,${marker}\nAdelie,${marker}\n`);
    // A valid model: the unguarded upload action registered it as a version.
    secretOnnx = path.join(secretDir, 'secret.onnx');
    fs.writeFileSync(secretOnnx, onnx);
    server = await startConsoleServer();
    for (const role of Role.options) {
      const user = await createTestUser(role);
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      sessions.set(role, { http, id: user.id });
    }
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(secretDir, { recursive: true, force: true });
  });

  const xsrf = (http: HttpSession) => decodeURIComponent(http.cookies.get('XSRF-TOKEN') ?? '');
  const post = (http: HttpSession, url: string, body: FormData | string, type?: string) =>
    http.request(`/admin/api${url}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-xsrf-token': xsrf(http), ...(type ? { 'content-type': type } : {}) },
      body,
    });
  const stored = async () => ({
    versions: await ModelVersion.count(),
    importFiles: Number(
      ((await sequelizeOf().query('SELECT count(*) AS n FROM import_files', { plain: true })) as { n: string }).n,
    ),
  });
  const roleFor = (resourceId: string, action: string): Role => {
    const allowed = Role.options.filter(
      (role) =>
        decide({ type: 'user', id: sessions.get(role)!.id, email: 'x@example.com', role }, resourceId, action) === true,
    );
    assert.ok(allowed.length > 0, `some role may use ${resourceId}.${action}`);
    return allowed.find((role) => role !== 'admin') ?? allowed[0]!;
  };
  const recordIdFor: Record<string, () => number> = { models: () => modelId, datasets: () => datasetId };

  /** Every way a client could name a file instead of uploading it. */
  const attacks = (target: string): Array<{ name: string; body: () => FormData | string; type?: string }> => [
    {
      name: 'JSON with a file object',
      type: 'application/json',
      body: () => JSON.stringify({ file: { path: target, name: 'x.csv', size: 10 }, labels: '' }),
    },
    {
      name: "JSON with a file object and the form's other fields",
      type: 'application/json',
      body: () =>
        JSON.stringify({
          file: { path: target, name: 'x.onnx', size: 10, type: 'text/csv' },
          mode: 'dry-run',
          labels: 'Adelie,Chinstrap,Gentoo',
        }),
    },
    {
      name: 'JSON with a path string as the file',
      type: 'application/json',
      body: () => JSON.stringify({ file: target }),
    },
    {
      name: 'JSON with flattened file keys',
      type: 'application/json',
      body: () => JSON.stringify({ 'file.path': target, 'file.name': 'x.csv', 'file.size': 10 }),
    },
    {
      name: 'JSON with a path object in another field',
      type: 'application/json',
      body: () => JSON.stringify({ labels: { path: target, name: 'x', size: 10 } }),
    },
    {
      name: 'JSON naming a file inside the upload folder',
      type: 'application/json',
      body: () => JSON.stringify({ file: { path: path.join(UPLOAD_DIR, 'a'.repeat(32)), name: 'x', size: 10 } }),
    },
    {
      name: 'multipart with file.path text fields',
      body: () => {
        const form = new FormData();
        form.append('file.path', target);
        form.append('file.name', 'x.csv');
        form.append('file.size', '10');
        return form;
      },
    },
    {
      name: 'multipart with a text field named file',
      body: () => {
        const form = new FormData();
        form.append('file', target);
        return form;
      },
    },
    {
      name: 'multipart with a real file elsewhere and file.path beside it',
      body: () => {
        const form = new FormData();
        form.append('other', new Blob(['a,b\n1,2\n']), 'other.csv');
        form.append('file.path', target);
        return form;
      },
    },
    {
      name: 'urlencoded file[path]',
      type: 'application/x-www-form-urlencoded',
      body: () => new URLSearchParams({ 'file[path]': target, 'file[name]': 'x.csv', 'file[size]': '10' }).toString(),
    },
    {
      name: 'urlencoded file.path',
      type: 'application/x-www-form-urlencoded',
      body: () => new URLSearchParams({ 'file.path': target, 'file.name': 'x.csv', 'file.size': '10' }).toString(),
    },
  ];

  it('lists the upload routes from the actions that declare one: the ONNX upload and the CSV import', () => {
    const routes = uploadRoutes(consoleResources()).map((r) => `${r.resourceId}.${r.action}`);
    assert.deepEqual(routes.sort(), ['datasets.importCsv', 'models.upload']);
  });

  it("takes a real multipart upload on every upload route (the guard lets the parser's own file through)", async () => {
    const { http } = sessions.get(roleFor('models', 'upload'))!;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(onnx)]), 'real.onnx');
    const answer = (await (await post(http, `/resources/models/records/${modelId}/upload`, form)).json()) as {
      notice: { type: string; message: string };
    };
    assert.equal(answer.notice.type, 'success', answer.notice.message);
    const importer = sessions.get(roleFor('datasets', 'importCsv'))!.http;
    const csv = new FormData();
    csv.append('file', new Blob(['species,island\nAdelie,Dream\n']), 'real.csv');
    const imported = (await (
      await post(importer, `/resources/datasets/records/${datasetId}/importCsv`, csv)
    ).json()) as { upload?: { columns: string[] } };
    assert.deepEqual(imported.upload?.columns, ['species', 'island'], JSON.stringify(imported));
  });

  // The routes that take files today, and any an action declares later.
  const known = [
    { resourceId: 'models', action: 'upload' },
    { resourceId: 'datasets', action: 'importCsv' },
  ];
  const routes = [
    ...known,
    ...uploadRoutes(consoleResources()).filter(
      (r) => !known.some((k) => k.resourceId === r.resourceId && k.action === r.action),
    ),
  ];
  for (const route of routes) {
    it(`refuses every file that did not come from the multipart parser on ${route.resourceId}.${route.action} (400, audited as denied, nothing stored or disclosed)`, async () => {
      const role = roleFor(route.resourceId, route.action);
      const { http, id: actorId } = sessions.get(role)!;
      const recordId = recordIdFor[route.resourceId];
      assert.ok(recordId, `the test knows a row of ${route.resourceId}: add one for this new upload route`);
      const url = `/resources/${route.resourceId}/records/${recordId()}/${route.action}`;
      for (const target of [secretCsv, secretOnnx]) {
        for (const attack of attacks(target)) {
          const before = await stored();
          const since = (await AuditEvent.max<number, AuditEvent>('seq')) ?? 0;
          const response = await post(http, url, attack.body(), attack.type);
          const text = await response.text();
          const where = `${role} ${url} ${attack.name} (${path.basename(target)}): HTTP ${response.status} ${text.slice(0, 300)}`;
          assert.equal(response.status, 400, where);
          assert.equal((JSON.parse(text) as { error: string }).error, 'upload.not_a_file', where);
          assert.ok(!text.includes(marker), `${where}: the file's content came back`);
          assert.deepEqual(await stored(), before, `${where}: something was stored`);
          // Past 10 refusals of a kind in a minute the rest are only counted: write the counts now, so
          // that this refusal is in the log either as its own event or as a summary.
          await flushRefusalCounts({ includeCurrentMinute: true });
          const events = await AuditEvent.findAll({ where: { seq: { [Op.gt]: since } } });
          assert.ok(
            events.some(
              (e) =>
                e.outcome === 'denied' &&
                Number(e.actorId) === actorId &&
                String(e.reason).startsWith('upload.not_a_file'),
            ),
            `${where}: no denied audit event (${events.map((e) => `${e.action}/${e.outcome}`).join(', ')})`,
          );
        }
      }
    });
  }

  it("refuses a file object sent as JSON to every other console action too (scanned from every resource's actions)", async () => {
    const { http } = sessions.get('admin')!;
    const admin = createAdmin();
    const body = JSON.stringify({ file: { path: secretCsv, name: 'x.csv', size: 10 }, label: 'x' });
    let tried = 0;
    for (const resource of admin.resources) {
      const id = resource.decorate().id();
      const row = (await resource.find(new Filter({}, resource), { limit: 1 }))[0];
      for (const action of Object.values(resource.decorate().actions)) {
        const urls: string[] = [];
        if (action.isResourceType()) urls.push(`/resources/${id}/actions/${action.name}`);
        if (row && action.isRecordType())
          urls.push(`/resources/${id}/records/${encodeURIComponent(String(row.id()))}/${action.name}`);
        if (row && action.isBulkType())
          urls.push(`/resources/${id}/bulk/${action.name}?recordIds=${encodeURIComponent(String(row.id()))}`);
        for (const url of urls) {
          const before = await stored();
          const response = await post(http, url, body, 'application/json');
          const text = await response.text();
          const where = `admin POST ${url}: HTTP ${response.status} ${text.slice(0, 200)}`;
          // 403: the rule table refuses the action itself first (e.g. nobody deletes audit events).
          assert.ok(response.status === 400 || response.status === 403, where);
          if (
            decide(
              { type: 'user', id: sessions.get('admin')!.id, email: 'x@example.com', role: 'admin' },
              id,
              action.name,
            ) === true
          )
            assert.equal(response.status, 400, where);
          assert.ok(!text.includes(marker), `${where}: the file's content came back`);
          assert.deepEqual(await stored(), before, `${where}: something was stored`);
          tried += 1;
        }
      }
    }
    assert.ok(tried > 30, `${tried} console actions tried`);
  });
});
