import assert from 'node:assert/strict';
import { Filter, Router as AdminJSRouter, type BaseRecord } from 'adminjs';
import session from 'express-session';
import { Op } from 'sequelize';
import { ApiKey, AuditEvent, DataRecord, Job, RecordPrediction, type MlModel } from '../../models/index.js';
import { ApiScope } from '../../models/enums.js';
import { buildConsole, createAdmin } from '../../admin/index.js';
import { systemActor, type Actor } from '../../src/access/actor.js';
import { flushRefusalCounts } from '../../src/audit/record-refusal.js';
import { decide, isAllowed } from '../../src/access/decide.js';
import type { ResourceId } from '../../src/access/rules.js';
import { Role } from '../../src/access/roles.js';
import { stopWorker } from '../../src/jobs/run-worker.js';
import { updateRecord } from '../../src/records/save-record.js';
import { labelItem } from '../../src/review/label-item.js';
import { insertReviewQueue } from '../support/review-queue.js';
import { unusableScopes } from '../../src/auth/api-keys/scopes.js';
import { loadConfig } from '../../src/platform/config.js';
import { testDatabaseUrl } from '../setup/hooks.js';
import { changedTables, dataChecksum, VOLATILE_TABLES } from '../support/data-checksum.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { cancelQueuedJobs } from '../support/jobs.js';
import { queuedReviewQueue, scoreAllBy } from '../support/review-queues.js';
import { latestChangeSet } from '../support/change-sets.js';
import {
  inferenceStat,
  issuedKey,
  queuedJob,
  textDataset,
  trainedModel,
  userActor,
  type TestUser,
} from './fixtures.js';
import { assertSecurityHeaders } from './security-headers-check.js';

const PENGUIN = {
  beak_length_mm: 40,
  beak_depth_mm: 18,
  flipper_length_mm: 190,
  body_mass_g: 3800,
  island: 'Dream',
  sex: 'FEMALE',
};
/** Denied console requests are audited (outcome `denied`): the audit tables may grow, nothing else. */
const EXCEPT_AUDIT = [...VOLATILE_TABLES, 'audit_events', 'audit_chain_head'];

/** A session store for a console router that is only inspected, never served. */
class UnusedStore extends session.Store {
  override get(_sid: string, callback: (error: unknown, session?: session.SessionData | null) => void): void {
    callback(null, null);
  }
  override set(_sid: string, _session: session.SessionData, callback?: (error?: unknown) => void): void {
    callback?.();
  }
  override destroy(_sid: string, callback?: (error?: unknown) => void): void {
    callback?.();
  }
}

/** A record's id as the console's URLs carry it (a date key as ISO text). */
const idOf = (record: BaseRecord): string => {
  const id = record.id() as unknown;
  return id instanceof Date ? id.toISOString() : String(id);
};

/** The values of a row that would give it away if they appeared in a refusal (long enough to be telling). */
const tellingValues = (params: Record<string, unknown>): string[] =>
  Object.values(params).filter(
    (v): v is string => typeof v === 'string' && v.length >= 8 && !(Role.options as readonly string[]).includes(v),
  );

/** "a data_scientist", "an admin". */
const aRole = (role: Role) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

/** What a signed-in person of each role has: their user, console session and a key with every scope their role can use. */
interface Person {
  user: TestUser;
  actor: Actor;
  http: HttpSession;
  key: string;
  scopes: Set<ApiScope>;
  ownJob: Job;
  ownKey: ApiKey;
}

interface Shared {
  model: MlModel;
  datasetId: number;
  freshRecord: () => Promise<number>;
  /** A fresh open review queue (second review on) of three items, item 3 labelled by the model's owner. */
  reviewQueue: () => Promise<number>;
  /** A fresh record whose label was changed twice (ham → spam → ham): its two change-sets, oldest first. */
  relabelledRecord: () => Promise<{ recordId: number; changeSets: [number, number] }>;
  /** A version that scored the model's dataset, and a review queue over it. */
  review: { datasetId: number; versionId: number; queueId: number };
}

/**
 * Which rule of the table each /api/v1 route asks (its handler's `authorize` call), and how to call it
 * so that it succeeds when allowed. The expectation itself always comes from `decide()`.
 */
const API_ROUTES: Record<
  string,
  {
    rule: readonly [ResourceId, string];
    ownJob?: true;
    call: (s: Shared, p: Person) => Promise<{ path: string; body?: unknown }>;
  }
> = {
  'GET /api/v1/datasets': { rule: ['datasets', 'list'], call: async () => ({ path: '/api/v1/datasets' }) },
  'GET /api/v1/datasets/{id}': {
    rule: ['datasets', 'show'],
    call: async (s) => ({ path: `/api/v1/datasets/${s.datasetId}` }),
  },
  'GET /api/v1/records': { rule: ['records', 'list'], call: async () => ({ path: '/api/v1/records?limit=2' }) },
  'GET /api/v1/records/{id}': {
    rule: ['records', 'show'],
    call: async (s) => ({ path: `/api/v1/records/${await s.freshRecord()}` }),
  },
  'POST /api/v1/records': {
    rule: ['records', 'new'],
    call: async (s) => ({
      path: '/api/v1/records',
      body: { datasetId: s.datasetId, text: 'created in the access matrix', label: 'ham' },
    }),
  },
  'PATCH /api/v1/records': {
    rule: ['records', 'bulkEdit'],
    call: async (s) => ({
      path: '/api/v1/records',
      body: { selection: { ids: [await s.freshRecord()] }, changes: { label: 'spam' } },
    }),
  },
  'PATCH /api/v1/records/{id}': {
    rule: ['records', 'edit'],
    call: async (s) => ({ path: `/api/v1/records/${await s.freshRecord()}`, body: { label: 'spam' } }),
  },
  'DELETE /api/v1/records/{id}': {
    rule: ['records', 'delete'],
    call: async (s) => ({ path: `/api/v1/records/${await s.freshRecord()}` }),
  },
  'GET /api/v1/change-sets/{id}': {
    rule: ['records', 'history'],
    call: async (s) => ({ path: `/api/v1/change-sets/${(await s.relabelledRecord()).changeSets[0]}?limit=5` }),
  },
  'GET /api/v1/records/{id}/history': {
    rule: ['records', 'history'],
    call: async (s) => ({ path: `/api/v1/records/${(await s.relabelledRecord()).recordId}/history` }),
  },
  // A label change: a data scientist may revert or restore it too (editableRecordFields).
  'GET /api/v1/change-sets/{id}/revert-preview': {
    rule: ['records', 'revert'],
    call: async (s) => ({
      path: `/api/v1/change-sets/${(await s.relabelledRecord()).changeSets[0]}/revert-preview`,
    }),
  },
  'POST /api/v1/change-sets/{id}/revert': {
    rule: ['records', 'revert'],
    call: async (s) => ({
      path: `/api/v1/change-sets/${(await s.relabelledRecord()).changeSets[1]}/revert`,
      body: { conflicts: 'skip' },
    }),
  },
  'POST /api/v1/records/{id}/restore-version': {
    rule: ['records', 'restoreVersion'],
    call: async (s) => {
      const { recordId, changeSets } = await s.relabelledRecord();
      return { path: `/api/v1/records/${recordId}/restore-version`, body: { changeSetId: changeSets[0] } };
    },
  },
  'GET /api/v1/models': { rule: ['models', 'predict'], call: async () => ({ path: '/api/v1/models' }) },
  'GET /api/v1/models/{name}': {
    rule: ['models', 'predict'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}` }),
  },
  'GET /api/v1/models/{name}/versions': {
    rule: ['models', 'predict'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/versions` }),
  },
  'PATCH /api/v1/models/{name}/aliases/{alias}': {
    rule: ['modelVersions', 'promote'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/aliases/matrix`, body: { version: 1 } }),
  },
  'GET /api/v1/models/{name}/drift': {
    rule: ['models', 'drift'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/drift` }),
  },
  'PATCH /api/v1/models/{name}/drift-thresholds': {
    rule: ['models', 'driftSettings'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/drift-thresholds`, body: { ks: 0.15 } }),
  },
  'POST /api/v1/models/{name}/score': {
    rule: ['models', 'score'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/score`, body: {} }),
  },
  'POST /api/v1/models/{name}/train': {
    rule: ['models', 'train'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/train`, body: { maxIterations: 1 } }),
  },
  'POST /api/v1/models/{name}/predict': {
    rule: ['models', 'predict'],
    call: async (s) => ({ path: `/api/v1/models/${s.model.name}/predict`, body: { instances: [PENGUIN] } }),
  },
  'GET /api/v1/review-queues': {
    rule: ['reviewQueues', 'list'],
    call: async () => ({ path: '/api/v1/review-queues' }),
  },
  'GET /api/v1/review-queues/{id}': {
    rule: ['reviewQueues', 'show'],
    call: async (s) => ({ path: `/api/v1/review-queues/${s.review.queueId}` }),
  },
  'POST /api/v1/review-queues': {
    rule: ['reviewQueues', 'create'],
    call: async (s) => ({
      path: '/api/v1/review-queues',
      body: { datasetId: s.review.datasetId, modelVersionId: s.review.versionId, strategy: 'random', size: 2 },
    }),
  },
  // Each call works on a queue of its own: claim the first item, label it, skip, undo a label, judge another's.
  'POST /api/v1/review-queues/{id}/claim': {
    rule: ['reviewQueues', 'label'],
    call: async (s) => ({ path: `/api/v1/review-queues/${await s.reviewQueue()}/claim`, body: {} }),
  },
  'POST /api/v1/review-queues/{id}/items/{position}/label': {
    rule: ['reviewQueues', 'label'],
    call: async (s) => ({
      path: `/api/v1/review-queues/${await s.reviewQueue()}/items/1/label`,
      body: { label: 'spam' },
    }),
  },
  'POST /api/v1/review-queues/{id}/items/{position}/skip': {
    rule: ['reviewQueues', 'label'],
    call: async (s) => ({ path: `/api/v1/review-queues/${await s.reviewQueue()}/items/2/skip` }),
  },
  'POST /api/v1/review-queues/{id}/items/{position}/undo': {
    rule: ['reviewQueues', 'label'],
    call: async (s, p) => {
      const queueId = await s.reviewQueue();
      // The caller's own label, set through the service when their role may label (else nothing to undo: refused first).
      if (decide(p.actor, 'reviewQueues', 'label') === true) await labelItem(p.actor, queueId, 1, { label: 'spam' });
      return { path: `/api/v1/review-queues/${queueId}/items/1/undo` };
    },
  },
  'POST /api/v1/review-queues/{id}/items/{position}/verdict': {
    rule: ['reviewQueues', 'secondReview'],
    call: async (s) => ({
      path: `/api/v1/review-queues/${await s.reviewQueue()}/items/3/verdict`,
      body: { verdict: 'accepted' },
    }),
  },
  'GET /api/v1/jobs': { rule: ['jobs', 'list'], call: async () => ({ path: '/api/v1/jobs' }) },
  'GET /api/v1/jobs/{id}': {
    rule: ['jobs', 'show'],
    ownJob: true,
    call: async (_s, p) => ({ path: `/api/v1/jobs/${p.ownJob.id}` }),
  },
  'POST /api/v1/jobs/{id}/cancel': {
    rule: ['jobs', 'cancel'],
    ownJob: true,
    call: async (s, p) => ({ path: `/api/v1/jobs/${(await queuedJob(p.user, s.model.name)).id}/cancel` }),
  },
};

/** A change-set of the shared data (set in `before`), for the console's change-set export. */
let someChangeSet = 0;

/** The console's own routes beside AdminJS's, and the rule each must follow. */
const CUSTOM_ROUTES: Record<
  string,
  { rule: readonly [ResourceId, string]; path: (versionId: number) => string } | 'signed-in' | 'not found' | 'public'
> = {
  'GET /logout': 'signed-in',
  // ModelDesk's logo and favicon: the sign-in page shows them, so anyone may fetch them; they hold no data.
  'GET /assets/:file': 'public',
  // @adminjs/express's, for auth providers (none here): answered 404 before it can throw.
  'POST /refresh-token': 'not found',
  'GET /model-versions/:id/onnx': {
    rule: ['modelVersions', 'download'],
    path: (id) => `/admin/model-versions/${id}/onnx`,
  },
  'GET /exports/audit-events.:format': {
    rule: ['auditEvents', 'export'],
    path: () => '/admin/exports/audit-events.csv',
  },
  'GET /exports/records.:format': { rule: ['records', 'export'], path: () => '/admin/exports/records.jsonl' },
  'GET /exports/change-sets/:id.:format': {
    rule: ['records', 'history'],
    path: () => `/admin/exports/change-sets/${someChangeSet}.jsonl`,
  },
};

describe('access: every console and API route answers as the rule table says (real server, real Postgres)', () => {
  let server: RunningConsole;
  let shared: Shared;
  let owner: TestUser;
  let othersJob: Job;
  let othersKey: ApiKey;
  let versionId: number;
  /** An event on records (content managers and data scientists may open those) and one on something else. */
  let recordEvent: number;
  let otherEvent: number;
  const people = new Map<Role, Person>();

  const signIn = async (user: TestUser) => {
    const http = new HttpSession(server.baseUrl);
    assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
    return http;
  };

  before(async function () {
    this.timeout(240_000);
    // A worker left running by an earlier suite in this process would run the jobs queued here and
    // change tables while these tests check that refused requests change nothing.
    await stopWorker();
    server = await startConsoleServer();
    owner = await createTestUser('data_scientist');
    const { model, versions } = await trainedModel('access', owner);
    versionId = versions[0].id;
    const { dataset } = await textDataset('access', 1);
    await scoreAllBy(versions[1], model.datasetId, 'Adelie');
    shared = {
      review: {
        datasetId: model.datasetId,
        versionId: versions[1].id,
        queueId: (await queuedReviewQueue(userActor(owner), model.datasetId, versions[1])).queueId,
      },
      model,
      datasetId: dataset.id,
      freshRecord: async () =>
        (
          await DataRecord.create({
            datasetId: dataset.id,
            text: 'a record for one request',
            features: null,
            label: 'ham',
            split: 'train',
            source: 'access test',
          })
        ).id,
      reviewQueue: async () => {
        const records = await Promise.all([1, 2, 3].map(() => shared.freshRecord()));
        const queue = await insertReviewQueue({ datasetId: dataset.id, versionId }, records, { secondReview: true });
        await labelItem(userActor(owner), queue.id, 3, { label: 'spam' });
        return queue.id;
      },
      relabelledRecord: async () => {
        const recordId = await shared.freshRecord();
        const changeSets: number[] = [];
        for (const label of ['spam', 'ham']) {
          await updateRecord(systemActor, recordId, { label });
          changeSets.push((await latestChangeSet('records.update')).changeSetId);
        }
        return { recordId, changeSets: changeSets as [number, number] };
      },
    };
    await shared.relabelledRecord();
    await shared.reviewQueue(); // a row for the console's reviewQueues pages
    recordEvent = (await latestChangeSet('records.update')).seq;
    someChangeSet = (await latestChangeSet('records.update')).changeSetId;
    otherEvent = (await AuditEvent.findOne({ where: { resource: { [Op.ne]: 'records' } }, order: [['seq', 'DESC']] }))!
      .seq;
    // Another person's work: a job, a key, and a record scored by that job.
    othersJob = await queuedJob(owner, model.name);
    othersKey = (await issuedKey(owner, ['records:read'])).apiKey;
    const scored = await shared.freshRecord();
    await inferenceStat(versionId);
    await RecordPrediction.create({
      recordId: scored,
      modelVersionId: versionId,
      predictedLabel: 'Adelie',
      score: 0.9,
      probabilities: [0.9, 0.05, 0.05],
      jobId: othersJob.id,
    });
    for (const role of Role.options) {
      const user = await createTestUser(role);
      const actor = userActor(user);
      const scopes = ApiScope.options.filter((scope) => unusableScopes(actor, [scope]).length === 0);
      const issued = await issuedKey(user, scopes);
      people.set(role, {
        user,
        actor,
        http: await signIn(user),
        key: issued.key,
        scopes: new Set(scopes),
        ownJob: await queuedJob(user, model.name),
        ownKey: issued.apiKey,
      });
    }
  });
  after(async () => {
    await cancelQueuedJobs(); // leave the shared queue as we found it: no backlog for the next suite's worker
    await server?.stop();
  });

  describe('console actions', () => {
    for (const role of Role.options) {
      it(`answers ${aRole(role)} 403 for exactly the actions and rows decide() refuses (GET and POST), never with the row's data, and lets the rest through, every answer with the security headers`, async () => {
        const person = people.get(role)!;
        const admin = createAdmin();
        const before = await dataChecksum(EXCEPT_AUDIT);
        const startedAt = await AuditEvent.max<number, AuditEvent>('seq');
        let refused = 0;
        let allowed = 0;
        for (const resource of admin.resources) {
          const id = resource.decorate().id();
          // Someone else's row, and for row-scoped resources also one of the person's own (audit events:
          // one on records, which content managers and data scientists may open, and one on something else).
          const own =
            id === 'jobs'
              ? [String(person.ownJob.id)]
              : id === 'apiKeys'
                ? [String(person.ownKey.id)]
                : id === 'auditEvents'
                  ? [String(recordEvent)]
                  : [];
          const others =
            id === 'jobs'
              ? [String(othersJob.id)]
              : id === 'apiKeys'
                ? [String(othersKey.id)]
                : id === 'auditEvents'
                  ? [String(otherEvent)]
                  : (await resource.find(new Filter({}, resource), { limit: 1 })).map(idOf);
          assert.ok(others.length > 0, `a ${id} row`);
          const rowsOf = async (ids: string[]) =>
            (await Promise.all(ids.map((rowId) => resource.findOne(rowId)))).filter((r): r is BaseRecord => r !== null);
          for (const action of Object.values(resource.decorate().actions)) {
            const cases: Array<{ path: string; rows: BaseRecord[] }> = [];
            if (action.isResourceType()) cases.push({ path: `/resources/${id}/actions/${action.name}`, rows: [] });
            for (const ids of [others, own].filter((list) => list.length > 0)) {
              const rows = await rowsOf(ids);
              if (action.isRecordType())
                cases.push({
                  path: `/resources/${id}/records/${encodeURIComponent(ids[0]!)}/${action.name}`,
                  rows: rows.slice(0, 1),
                });
              if (action.isBulkType())
                cases.push({
                  path: `/resources/${id}/bulk/${action.name}?recordIds=${ids.map(encodeURIComponent).join(',')}`,
                  rows,
                });
            }
            for (const { path, rows } of cases) {
              const expected =
                rows.length === 0
                  ? isAllowed(decide(person.actor, id, action.name))
                  : rows.every((row) => decide(person.actor, id, action.name, row.params) === true);
              const api = await person.http.api(path);
              const page = await person.http.request(`/admin${path}`);
              const answers = [
                { via: 'API', response: api, body: await api.text() },
                { via: 'page', response: page, body: await page.text() },
              ];
              if (!expected) {
                const post = await person.http.api(path, 'POST', {
                  label: 'spam',
                  mode: 'apply',
                  alias: 'production',
                  description: 'changed',
                });
                answers.push({ via: 'POST', response: post, body: await post.text() });
              }
              for (const { via, response, body } of answers) {
                const { status } = response;
                const where = `${role} ${via} ${path}: HTTP ${status}`;
                // headers.test.ts's promise (security headers on every answer) for every action's page and
                // console API answer, allowed or refused: this walk sends them all anyway.
                assertSecurityHeaders({ label: `${role} ${via} ${path}`, response, body });
                if (expected) {
                  assert.ok(![401, 403, 404].includes(status), `${where}, but the rule table allows it`);
                } else {
                  assert.equal(status, 403, `${where}, but the rule table refuses it`);
                  for (const value of rows.flatMap((row) => tellingValues(row.params)))
                    assert.ok(!body.includes(value), `${where}: the refusal carries "${value}"`);
                }
              }
              if (expected) allowed += 1;
              else refused += 1;
            }
          }
        }
        assert.ok(allowed > 10, `${role}: ${allowed} allowed`);
        if (role !== 'admin') assert.ok(refused > 10, `${role}: ${refused} refused`);
        assert.deepEqual(
          changedTables(before, await dataChecksum(EXCEPT_AUDIT)),
          [],
          'refused requests changed nothing',
        );
        // Refusals past the per-minute bound are counted, then written as summaries (selection.repeatedRefusals).
        await flushRefusalCounts({ includeCurrentMinute: true });
        const outcomes = await AuditEvent.findAll({
          where: { seq: { [Op.gt]: startedAt ?? 0 } },
          attributes: ['outcome', 'actorId', 'selection'],
        });
        const repeated = (e: AuditEvent) =>
          typeof e.selection?.repeatedRefusals === 'number' ? e.selection.repeatedRefusals : null;
        // A summary of an earlier test's refusals may be written meanwhile: it is a denial too.
        assert.ok(
          outcomes.every(
            (e) => e.outcome === 'denied' && (e.actorId === String(person.user.id) || repeated(e) !== null),
          ),
          'the only audit events are the denials',
        );
        const own = outcomes.filter((e) => e.actorId === String(person.user.id));
        assert.ok(own.reduce((sum, e) => sum + (repeated(e) ?? 1), 0) >= refused, 'every refusal is audited (counted)');
      });
    }
  });

  describe('console routes beside AdminJS', () => {
    it("lists every route the console adds to AdminJS's (no AdminJS custom pages), each with the rule it follows", () => {
      const sessions = { secret: 'x'.repeat(48), store: new UnusedStore(), resave: false, saveUninitialized: false };
      const mount = buildConsole(loadConfig({ DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent' }), sessions);
      const adminJsRoutes = new Set(
        [
          ...AdminJSRouter.routes,
          ...AdminJSRouter.assets.map((a) => ({ method: 'GET', path: a.path })),
          { method: 'GET', path: '/login' },
          { method: 'POST', path: '/login' },
        ].map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      const routes = (mount.router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>)
        .filter((layer) => layer.route)
        .flatMap((layer) =>
          Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`),
        )
        .filter((route) => !adminJsRoutes.has(route));
      assert.deepEqual([...new Set(routes)].sort(), Object.keys(CUSTOM_ROUTES).sort());
      assert.deepEqual(
        createAdmin().options.pages ?? {},
        {},
        'no AdminJS custom pages: a page would need its own rule',
      );
    });

    it("answers a signed-in POST /admin/refresh-token (AdminJS's, unused) with 404, and the server keeps serving", async () => {
      const { http } = people.get('auditor')!;
      const token = decodeURIComponent(http.cookies.get('XSRF-TOKEN') ?? '');
      const response = await http.request('/admin/refresh-token', {
        method: 'POST',
        headers: { accept: 'application/json', 'x-xsrf-token': token },
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(response.status, 404, await response.text());
      assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200);
    });

    for (const role of Role.options) {
      it(`answers ${aRole(role)} on the exports, the ONNX download and the dashboard as the rule table says`, async () => {
        const person = people.get(role)!;
        for (const [route, spec] of Object.entries(CUSTOM_ROUTES)) {
          if (typeof spec === 'string') continue;
          const response = await person.http.request(spec.path(versionId));
          await response.arrayBuffer();
          const allowed = decide(person.actor, spec.rule[0], spec.rule[1]) !== false;
          assert.equal(response.status, allowed ? 200 : 403, `${role} ${route}`);
        }
        const dashboard = await person.http.api('/dashboard');
        assert.equal(dashboard.status, 200);
        const { tiles } = (await dashboard.json()) as { tiles: Array<{ resourceId: string }> };
        for (const tile of tiles)
          assert.equal(decide(person.actor, tile.resourceId, 'list'), true, `${role} sees the ${tile.resourceId} tile`);
      });
    }
  });

  describe('/api/v1', () => {
    it('maps every route of the OpenAPI document to the rule its handler asks', async () => {
      const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
      );
      assert.deepEqual(routes.sort(), Object.keys(API_ROUTES).sort());
    });

    for (const role of Role.options) {
      it(`answers ${aRole(role)} on every /api/v1 route, with the console session and with a key of every usable scope, as decide() and the key's scopes say`, async () => {
        const person = people.get(role)!;
        const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as {
          paths: Record<string, Record<string, { 'x-scope': ApiScope }>>;
        };
        const startedAt = (await AuditEvent.max<number, AuditEvent>('seq')) ?? 0;
        const refusedByKey: string[] = [];
        let refusedBySession = 0;
        for (const [route, spec] of Object.entries(API_ROUTES)) {
          const [method, template] = route.split(' ') as [string, string];
          const scope = document.paths[template]![method.toLowerCase()]!['x-scope'];
          const rowAllowed = decide(
            person.actor,
            spec.rule[0],
            spec.rule[1],
            spec.ownJob ? person.ownJob.get({ plain: true }) : undefined,
          );
          for (const via of ['session', 'key'] as const) {
            const { path, body } = await spec.call(shared, person);
            const headers: Record<string, string> = {
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            };
            if (via === 'key') headers.authorization = `Bearer ${person.key}`;
            else headers['x-xsrf-token'] = decodeURIComponent(person.http.cookies.get('XSRF-TOKEN') ?? '');
            const send = () =>
              person.http.request(path, {
                method,
                headers,
                body: body === undefined ? undefined : JSON.stringify(body),
              });
            const response =
              via === 'key'
                ? await fetch(`${server.baseUrl}${path}`, {
                    method,
                    headers,
                    body: body === undefined ? undefined : JSON.stringify(body),
                  })
                : await send();
            const text = await response.text();
            const allowed = isAllowed(rowAllowed) && (via === 'session' || person.scopes.has(scope));
            const where = `${role} ${via} ${route}: HTTP ${response.status} ${text.slice(0, 200)}`;
            if (allowed) assert.ok(response.status >= 200 && response.status < 300, where);
            else {
              assert.equal(response.status, 403, where);
              assert.match(
                (JSON.parse(text) as { code: string }).code,
                /^auth\.(role_forbidden|missing_scope)$/,
                where,
              );
              if (via === 'key') refusedByKey.push(`${spec.rule[0]}.${spec.rule[1]}`);
              else refusedBySession += 1;
            }
          }
        }
        // Every refusal is audited once: by the service that refused it (record writes) or by the API's
        // error mapper (the route's own scope and role check), never by both.
        await flushRefusalCounts({ includeCurrentMinute: true });
        const events = await AuditEvent.findAll({
          where: { seq: { [Op.gt]: startedAt }, outcome: 'denied' },
          order: [['seq', 'ASC']],
        });
        const repeated = (e: AuditEvent) =>
          typeof e.selection?.repeatedRefusals === 'number' ? e.selection.repeatedRefusals : 1;
        // The key is a fresh actor here (no earlier refusals this minute): one event of its own per refusal.
        const byKey = events.filter((e) => e.actorType === 'api_key' && e.actorId === String(person.ownKey.id));
        assert.equal(
          byKey.length,
          refusedByKey.length,
          `${role}: one denied event per refused key call (${refusedByKey.join(', ')}), got ${byKey.map((e) => e.action).join(', ')}`,
        );
        for (const e of byKey)
          assert.match(e.reason ?? '', /^auth\.(role_forbidden|missing_scope): /, 'the event says why');
        const bySession = events.filter((e) => e.actorType === 'user' && e.actorId === String(person.user.id));
        assert.ok(
          bySession.reduce((sum, e) => sum + repeated(e), 0) >= refusedBySession,
          `${role}: every refused session call is audited (counted)`,
        );
      });
    }
  });

  describe("other people's objects (IDOR)", () => {
    it("gives a data scientist 403 or 404 and none of the job's data for another user's job: console show, page, cancel, API read and cancel", async () => {
      const scientist = people.get('data_scientist')!;
      const secret = String(othersJob.id);
      const job = othersJob.get({ plain: true }) as Record<string, unknown>;
      const telling = [JSON.stringify((job.params as Record<string, unknown>).model), String(job.queueJobId)];
      const answers: Array<[string, Response]> = [
        ['console show', await scientist.http.api(`/resources/jobs/records/${secret}/show`)],
        ['console page', await scientist.http.request(`/admin/resources/jobs/records/${secret}/show`)],
        ['console cancel', await scientist.http.api(`/resources/jobs/records/${secret}/cancel`, 'POST')],
        ['API read (session)', await scientist.http.request(`/api/v1/jobs/${secret}`)],
        [
          'API read (key)',
          await fetch(`${server.baseUrl}/api/v1/jobs/${secret}`, {
            headers: { authorization: `Bearer ${scientist.key}` },
          }),
        ],
        [
          'API cancel (key)',
          await fetch(`${server.baseUrl}/api/v1/jobs/${secret}/cancel`, {
            method: 'POST',
            headers: { authorization: `Bearer ${scientist.key}` },
          }),
        ],
      ];
      for (const [what, response] of answers) {
        const body = await response.text();
        assert.ok([403, 404].includes(response.status), `${what}: HTTP ${response.status}`);
        for (const value of telling)
          assert.ok(!body.includes(value.replace(/^"|"$/g, '')), `${what}: the answer carries ${value}`);
      }
      assert.equal((await Job.findByPk(othersJob.id))?.status, 'queued', 'the job was not cancelled');
      assert.equal((await Job.findByPk(othersJob.id))?.cancelRequested, false);
    });

    it("keeps another user's jobs and keys, and audit events on anything but records, out of a data scientist's lists, whatever filter the request sends", async () => {
      const scientist = people.get('data_scientist')!;
      const lists = {
        jobs: { column: 'createdById', theirs: othersJob.id, other: String(owner.id), mine: String(scientist.user.id) },
        apiKeys: { column: 'ownerId', theirs: othersKey.id, other: String(owner.id), mine: String(scientist.user.id) },
        auditEvents: { column: 'resource', theirs: otherEvent, other: 'users', mine: 'records' },
      };
      for (const [resource, { column, theirs, other, mine }] of Object.entries(lists)) {
        const tricks = [
          '',
          `filters.${column}=${other}`,
          `filters[${column}]=${other}`,
          `filters.${column}.from=0&filters.${column}.to=999999999`,
          `filters.${column}=${other}&filters.${column}=${mine}`,
          `filters=${encodeURIComponent(column)}`,
          `filters.id=${theirs}`,
          `filters.seq=${theirs}`,
        ];
        for (const trick of tricks) {
          const response = await scientist.http.api(`/resources/${resource}/actions/list?perPage=500&${trick}`);
          const text = await response.text();
          if (response.status !== 200) {
            assert.ok(
              response.status === 400 || response.status === 403,
              `${resource} ${trick}: HTTP ${response.status}`,
            );
            continue;
          }
          const { records } = JSON.parse(text) as { records: Array<{ id: string; params: Record<string, unknown> }> };
          assert.ok(
            records.every((r) => String(r.params[column]) === mine),
            `${resource} ${trick}: ${records.map((r) => `#${r.id} of ${String(r.params[column])}`).join(', ')}`,
          );
          if (trick === '') assert.ok(records.length > 0, `${resource}: the rows the rule lets through are listed`);
        }
      }
      const apiList = (await (
        await fetch(`${server.baseUrl}/api/v1/jobs?limit=500`, {
          headers: { authorization: `Bearer ${scientist.key}` },
        })
      ).json()) as { items: Array<{ id: number }> };
      assert.ok(!apiList.items.some((j) => j.id === othersJob.id));
    });

    it("refuses a data scientist another user's API key (show, revoke) and leaves it unrevoked", async () => {
      const scientist = people.get('data_scientist')!;
      for (const [what, response] of [
        ['show', await scientist.http.api(`/resources/apiKeys/records/${othersKey.id}/show`)],
        ['revoke', await scientist.http.api(`/resources/apiKeys/records/${othersKey.id}/revoke`, 'POST')],
        ['page', await scientist.http.request(`/admin/resources/apiKeys/records/${othersKey.id}/show`)],
      ] as const) {
        const body = await response.text();
        assert.equal(response.status, 403, what);
        assert.ok(!body.includes(othersKey.prefix) && !body.includes(othersKey.name), `${what}: no trace of the key`);
      }
      assert.equal((await ApiKey.findByPk(othersKey.id))?.revokedAt, null);
      const own = await scientist.http.api(`/resources/apiKeys/records/${scientist.ownKey.id}/show`);
      assert.equal(own.status, 200, 'their own key they may see');
    });

    it("does not hand out referenced rows a role may not show (users, other people's jobs) inside the records it may see", async () => {
      const expectations: Array<{ role: Role; path: string; forbidden: string[] }> = [
        // A record scored by another user's job: the job's parameters are that user's business.
        {
          role: 'content_manager',
          path: `/resources/records/actions/list?filters.scored=true&perPage=500`,
          forbidden: [String(othersJob.queueJobId)],
        },
        {
          role: 'data_scientist',
          path: `/resources/records/actions/list?filters.scored=true&perPage=500`,
          forbidden: [String(othersJob.queueJobId)],
        },
        // Models and versions name their creator: a user record, which only admins and auditors may show.
        { role: 'data_scientist', path: `/resources/models/records/${shared.model.id}/show`, forbidden: [owner.email] },
        {
          role: 'data_scientist',
          path: `/resources/modelVersions/records/${versionId}/show`,
          forbidden: [owner.email],
        },
        { role: 'data_scientist', path: '/resources/models/actions/list?perPage=500', forbidden: [owner.email] },
      ];
      for (const { role, path, forbidden } of expectations) {
        const response = await people.get(role)!.http.api(path);
        const body = await response.text();
        assert.equal(response.status, 200, `${role} ${path}`);
        for (const value of forbidden) assert.ok(!body.includes(value), `${role} ${path}: the answer carries ${value}`);
      }
      const auditor = await people.get('auditor')!.http.api(`/resources/modelVersions/records/${versionId}/show`);
      assert.ok(
        (await auditor.text()).includes(owner.email),
        'an auditor, who may show users, still sees who created the version',
      );
      const scored = (await (
        await people.get('data_scientist')!.http.api('/resources/records/actions/list?filters.scored=true&perPage=500')
      ).json()) as { records: Array<{ populated: Record<string, unknown> }> };
      assert.ok(
        scored.records.some((record) => record.populated.scoredByVersionId),
        'a model version, which a data scientist may show, stays in the records',
      );
    });
  });
});
