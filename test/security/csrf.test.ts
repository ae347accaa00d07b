import assert from 'node:assert/strict';
import { Filter, type BaseRecord } from 'adminjs';
import type { MlModel } from '../../models/index.js';
import {
  ApiKey,
  AuditEvent,
  DataRecord,
  Dataset,
  Job,
  User,
  type ModelAlias,
  type ModelVersion,
} from '../../models/index.js';
import { createAdmin } from '../../admin/index.js';
import { decide } from '../../src/access/decide.js';
import { stopWorker } from '../../src/jobs/run-worker.js';
import { Role } from '../../src/access/roles.js';
import { Op } from 'sequelize';
import {
  flushRefusalCounts,
  REFUSALS_LOGGED_PER_ACTOR_MINUTE,
  REFUSALS_LOGGED_PER_MINUTE,
} from '../../src/audit/record-refusal.js';
import { verifyAuditChain } from '../../src/audit/verify-chain.js';
import { changedTables, dataChecksum, VOLATILE_TABLES } from '../support/data-checksum.js';
import { unique } from '../support/database.js';
import { buildExternalOnnx, fitCentroids } from '../support/external-onnx.js';
import { encodedPenguins } from '../support/penguin-model.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import {
  inferenceStat,
  issuedKey,
  queuedJob,
  textDataset,
  trainedModel,
  userActor,
  type TestUser,
} from './fixtures.js';
import { insertReviewQueue } from '../support/review-queue.js';
import { labelItem } from '../../src/review/label-item.js';
import { cancelQueuedJobs } from '../support/jobs.js';
import { queuedReviewQueue, scoreAllBy } from '../support/review-queues.js';
import { latestChangeSet } from '../support/change-sets.js';
import { deleteRecord, updateRecord } from '../../src/records/save-record.js';

const EVIL = 'https://evil.example';
/** A refusal of a signed-in session is audited: the audit log may grow, nothing else may change. */
const AUDIT_TABLES = ['audit_events', 'audit_chain_head'];
const EXCEPT_AUDIT = [...VOLATILE_TABLES, ...AUDIT_TABLES];

/** Actions that only read, whatever the method: everything else is a write to protect. */
const READ_ONLY_ACTIONS = new Set([
  'list',
  'search',
  'show',
  'export',
  'compare',
  'charts',
  'drift',
  'history',
  'download',
  'hub',
  'filterChoices',
  // The labeling page of a review queue: it opens and writes nothing; its writes are the API routes below.
  'label',
  'secondReview',
]);

interface Fixtures {
  dataset: Dataset;
  records: DataRecord[];
  deleted: DataRecord;
  /** A second deleted record, restored from "Deleted records" (the first is restoreDeleted's). */
  deletedToo: DataRecord;
  emptyDataset: Dataset;
  model: MlModel;
  versions: [ModelVersion, ModelVersion];
  /** A record of the model's own dataset (scoring takes only those). */
  penguinRecordId: number;
  production: ModelAlias;
  jobs: { console: Job; api: Job };
  keys: { revoke: ApiKey; delete: ApiKey; bearer: string };
  users: { edit: TestUser; delete: TestUser };
  onnx: Uint8Array;
  /** Relabels to revert, and records relabelled twice, to restore to their first relabel: the console's and the API's. */
  history: Record<'console' | 'api', { revert: number; restore: { recordId: number; changeSetId: number } }>;
  /** A version that scored its dataset (queues are built over it) and a queue to close. */
  review: { datasetId: number; versionId: number; queueId: number };
  /** A review queue (second review on): items 1–2 for the victim, item 3 labelled by someone else. */
  reviewQueueId: number;
}

/** One state-changing request, as the console's client or an API caller makes it. */
interface Write {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  json?: Record<string, unknown>;
  form?: () => FormData;
  /** false: a POST that answers without changing data (predict). */
  writes?: boolean;
}

/** How an attacker's page (or a careless client) might send the victim's request. */
interface Forgery {
  name: string;
  /** The X-XSRF-TOKEN header and XSRF-TOKEN cookie sent (undefined: no header, the victim's cookie). */
  token: (sessions: { victim: HttpSession; other: HttpSession }) => string | undefined;
  headers: Record<string, string>;
}

/** A record's id as the console's URLs carry it (a date key as ISO text). */
const idOf = (record: BaseRecord): string => {
  const id = record.id() as unknown;
  return id instanceof Date ? id.toISOString() : String(id);
};

const tokenOf = (http: HttpSession) => decodeURIComponent(http.cookies.get('XSRF-TOKEN') ?? '');

const FORGERIES: readonly Forgery[] = [
  { name: 'no token', token: () => undefined, headers: {} },
  {
    name: "a forged token (cookie and header equal, not the session's)",
    token: () => 'forged-token-0123456789abcdefghijklmnopqrstu',
    headers: {},
  },
  { name: "another session's token", token: ({ other }) => tokenOf(other), headers: {} },
  { name: `the right token from Origin ${EVIL}`, token: ({ victim }) => tokenOf(victim), headers: { origin: EVIL } },
  {
    name: 'the right token from Origin null (sandboxed frame)',
    token: ({ victim }) => tokenOf(victim),
    headers: { origin: 'null' },
  },
  {
    name: 'the right token with Sec-Fetch-Site: cross-site and no Origin',
    token: ({ victim }) => tokenOf(victim),
    headers: { 'sec-fetch-site': 'cross-site' },
  },
  {
    name: 'the right token with Sec-Fetch-Site: same-site (a sibling subdomain)',
    token: ({ victim }) => tokenOf(victim),
    headers: { 'sec-fetch-site': 'same-site' },
  },
  {
    name: 'the right token with a Referer of another site and no Origin',
    token: ({ victim }) => tokenOf(victim),
    headers: { referer: `${EVIL}/page` },
  },
];

/** Every console action that may write, with a request that does write when sent properly. */
const CONSOLE_WRITES: Record<string, (f: Fixtures) => Write> = {
  'datasets.new': () => ({
    method: 'POST',
    path: '/admin/api/resources/datasets/actions/new',
    json: { name: unique('csrf-new'), task: 'text-classification', 'labels.0': 'a', 'labels.1': 'b' },
  }),
  'datasets.edit': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/datasets/records/${f.dataset.id}/edit`,
    json: { description: 'changed by the console' },
  }),
  'datasets.delete': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/datasets/records/${f.emptyDataset.id}/delete`,
  }),
  'datasets.importCsv': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/datasets/records/${f.dataset.id}/importCsv`,
    form: () => {
      const form = new FormData();
      form.append('file', new Blob(['text,label\nhello,ham\n'], { type: 'text/csv' }), 'records.csv');
      return form;
    },
  }),
  'datasets.train': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/datasets/records/${f.model.datasetId}/train`,
    json: { model: f.model.name, maxIterations: '1' },
  }),
  'records.new': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/new',
    json: { datasetId: f.dataset.id, text: 'a new record', label: 'ham', split: 'train' },
  }),
  'records.edit': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/records/records/${f.records[0]!.id}/edit`,
    json: { label: 'spam' },
  }),
  'records.delete': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/records/records/${f.records[1]!.id}/delete`,
  }),
  'records.bulkDelete': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/records/bulk/bulkDelete?recordIds=${f.records[2]!.id},${f.records[3]!.id}`,
  }),
  'records.bulkEdit': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/records/bulk/bulkEdit?recordIds=${f.records[4]!.id},${f.records[5]!.id}`,
    json: { mode: 'apply', addTags: 'bulk-edited' },
  }),
  'records.bulkEditMatching': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/bulkEditMatching',
    json: { mode: 'apply', 'filter.datasetId': String(f.dataset.id), addTags: 'matched' },
  }),
  'reviewQueues.create': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/reviewQueues/actions/create',
    json: {
      datasetId: String(f.review.datasetId),
      modelVersionId: String(f.review.versionId),
      strategy: 'random',
      size: '3',
    },
  }),
  'reviewQueues.close': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/reviewQueues/records/${f.review.queueId}/close`,
  }),
  'records.restoreDeleted': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/restoreDeleted',
    json: { ids: String(f.deleted.id) },
  }),
  'records.deleted': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/deleted',
    json: { recordId: String(f.deletedToo.id) },
  }),
  // A display preference, still a write of the user's row: forged, it is refused like any other.
  'records.rememberPageSize': () => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/rememberPageSize',
    json: { perPage: '50' },
  }),
  'records.scoreSelected': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/records/bulk/scoreSelected?recordIds=${f.penguinRecordId}`,
    json: { model: f.model.name, mode: 'apply' },
  }),
  'records.scoreMatching': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/scoreMatching',
    json: { model: f.model.name, mode: 'apply', 'filter.split': 'test' },
  }),
  'records.revert': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/records/actions/revert',
    json: { changeSetId: f.history.console.revert, conflicts: 'skip' },
  }),
  'records.restoreVersion': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/records/records/${f.history.console.restore.recordId}/restoreVersion`,
    json: { changeSetId: f.history.console.restore.changeSetId },
  }),
  'models.new': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/models/actions/new',
    json: { name: unique('csrf-model'), task: 'text-classification', datasetId: String(f.dataset.id) },
  }),
  'models.edit': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/models/records/${f.model.id}/edit`,
    json: { description: 'changed by the console' },
  }),
  'models.train': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/models/records/${f.model.id}/train`,
    json: { maxIterations: '1' },
  }),
  'models.upload': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/models/records/${f.model.id}/upload`,
    form: () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(f.onnx)]), 'penguins.onnx');
      return form;
    },
  }),
  'models.score': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/models/records/${f.model.id}/score`,
    json: { mode: 'apply' },
  }),
  'modelVersions.promote': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/modelVersions/records/${f.versions[0].id}/promote`,
    json: { alias: 'staging' },
  }),
  'modelAliases.rollback': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/modelAliases/records/${f.production.id}/rollback`,
  }),
  'jobs.cancel': (f) => ({ method: 'POST', path: `/admin/api/resources/jobs/records/${f.jobs.console.id}/cancel` }),
  'auditEvents.verify': () => ({ method: 'POST', path: '/admin/api/resources/auditEvents/actions/verify' }),
  'users.new': () => ({
    method: 'POST',
    path: '/admin/api/resources/users/actions/new',
    json: {
      email: `${unique('csrf-new-user')}@example.com`,
      name: 'New',
      role: 'auditor',
      active: 'true',
      newPassword: TEST_PASSWORD,
    },
  }),
  'users.edit': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/users/records/${f.users.edit.id}/edit`,
    json: { name: 'Renamed by the console' },
  }),
  'users.delete': (f) => ({ method: 'POST', path: `/admin/api/resources/users/records/${f.users.delete.id}/delete` }),
  'apiKeys.issue': (f) => ({
    method: 'POST',
    path: '/admin/api/resources/apiKeys/actions/issue',
    json: { ownerEmail: f.users.edit.email, name: 'issued in the console', scopes: 'records:read' },
  }),
  'apiKeys.revoke': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/apiKeys/records/${f.keys.revoke.id}/revoke`,
  }),
  'apiKeys.delete': (f) => ({
    method: 'POST',
    path: `/admin/api/resources/apiKeys/records/${f.keys.delete.id}/delete`,
  }),
};

/** Every state-changing API route (by its OpenAPI key), as a signed-in console user would call it. */
const API_WRITES: Record<string, (f: Fixtures) => Write> = {
  'POST /api/v1/records': (f) => ({
    method: 'POST',
    path: '/api/v1/records',
    json: { datasetId: f.dataset.id, text: 'created through the API', label: 'ham' },
  }),
  'PATCH /api/v1/records': (f) => ({
    method: 'PATCH',
    path: '/api/v1/records',
    json: { selection: { ids: [f.records[0]!.id] }, changes: { addTags: 'bulk-api' } },
  }),
  'PATCH /api/v1/records/{id}': (f) => ({
    method: 'PATCH',
    path: `/api/v1/records/${f.records[0]!.id}`,
    json: { label: 'spam' },
  }),
  'DELETE /api/v1/records/{id}': (f) => ({ method: 'DELETE', path: `/api/v1/records/${f.records[5]!.id}` }),
  'PATCH /api/v1/models/{name}/aliases/{alias}': (f) => ({
    method: 'PATCH',
    path: `/api/v1/models/${f.model.name}/aliases/canary`,
    json: { version: 1 },
  }),
  'PATCH /api/v1/models/{name}/drift-thresholds': (f) => ({
    method: 'PATCH',
    path: `/api/v1/models/${f.model.name}/drift-thresholds`,
    json: { ks: 0.15 },
  }),
  'POST /api/v1/models/{name}/score': (f) => ({
    method: 'POST',
    path: `/api/v1/models/${f.model.name}/score`,
    json: {},
  }),
  'POST /api/v1/models/{name}/train': (f) => ({
    method: 'POST',
    path: `/api/v1/models/${f.model.name}/train`,
    json: { maxIterations: 1 },
  }),
  'POST /api/v1/review-queues': (f) => ({
    method: 'POST',
    path: '/api/v1/review-queues',
    json: { datasetId: f.review.datasetId, modelVersionId: f.review.versionId, strategy: 'highest_entropy', size: 3 },
  }),
  'POST /api/v1/jobs/{id}/cancel': (f) => ({ method: 'POST', path: `/api/v1/jobs/${f.jobs.api.id}/cancel` }),
  'POST /api/v1/change-sets/{id}/revert': (f) => ({
    method: 'POST',
    path: `/api/v1/change-sets/${f.history.api.revert}/revert`,
    json: { conflicts: 'skip' },
  }),
  'POST /api/v1/records/{id}/restore-version': (f) => ({
    method: 'POST',
    path: `/api/v1/records/${f.history.api.restore.recordId}/restore-version`,
    json: { changeSetId: f.history.api.restore.changeSetId },
  }),
  'POST /api/v1/review-queues/{id}/claim': (f) => ({
    method: 'POST',
    path: `/api/v1/review-queues/${f.reviewQueueId}/claim`,
    json: {},
  }),
  'POST /api/v1/review-queues/{id}/items/{position}/label': (f) => ({
    method: 'POST',
    path: `/api/v1/review-queues/${f.reviewQueueId}/items/1/label`,
    json: { label: 'spam' },
  }),
  'POST /api/v1/review-queues/{id}/items/{position}/skip': (f) => ({
    method: 'POST',
    path: `/api/v1/review-queues/${f.reviewQueueId}/items/2/skip`,
  }),
  'POST /api/v1/review-queues/{id}/items/{position}/undo': (f) => ({
    method: 'POST',
    path: `/api/v1/review-queues/${f.reviewQueueId}/items/1/undo`,
  }),
  'POST /api/v1/review-queues/{id}/items/{position}/verdict': (f) => ({
    method: 'POST',
    path: `/api/v1/review-queues/${f.reviewQueueId}/items/3/verdict`,
    json: { verdict: 'accepted' },
  }),
  'POST /api/v1/models/{name}/predict': (f) => ({
    method: 'POST',
    path: `/api/v1/models/${f.model.name}/predict`,
    json: {
      instances: [
        {
          beak_length_mm: 40,
          beak_depth_mm: 18,
          flipper_length_mm: 190,
          body_mass_g: 3800,
          island: 'Dream',
          sex: 'FEMALE',
        },
      ],
    },
    writes: false,
  }),
};

describe("CSRF: state-changing requests need the session's token and this origin (real server, real Postgres)", () => {
  let server: RunningConsole;
  let fixtures: Fixtures;
  let admin: TestUser;
  /** The victim (an admin: every write is allowed, so any refusal is the CSRF check's). */
  let victim: HttpSession;
  /** Another signed-in session (of another admin), whose token must not work for the victim's. */
  let other: HttpSession;
  let ownOrigin: string;

  before(async function () {
    this.timeout(240_000);
    // A worker left running by an earlier suite in this process (xss.test starts one) would run the
    // jobs queued here and change tables while these tests check that refused requests change nothing.
    await stopWorker();
    server = await startConsoleServer();
    ownOrigin = server.baseUrl;
    admin = await createTestUser('admin');
    const otherAdmin = await createTestUser('admin');
    const { dataset, records, deleted } = await textDataset('csrf', 11);
    // Four records beyond the other scenarios' six, for the console and the API each: one relabelled
    // (to revert), one relabelled twice (to restore to its first relabel).
    const editor = { type: 'user' as const, ...admin };
    const relabel = async (record: DataRecord, label: string) => {
      await updateRecord(editor, record.id, { label });
      return (await latestChangeSet('records.update')).changeSetId;
    };
    const historyOf = async (toRevert: DataRecord, toRestore: DataRecord) => {
      const revert = await relabel(toRevert, 'spam');
      const changeSetId = await relabel(toRestore, 'spam');
      await relabel(toRestore, 'ham');
      return { revert, restore: { recordId: toRestore.id, changeSetId } };
    };
    const history = {
      console: await historyOf(records[6]!, records[7]!),
      api: await historyOf(records[8]!, records[9]!),
    };
    // The eleventh, deleted, for the restore on "Deleted records".
    await deleteRecord(editor, records[10]!.id);
    const emptyDataset = await Dataset.create({
      name: unique('csrf-empty'),
      task: 'text-classification',
      labels: ['a', 'b'],
      description: null,
      source: null,
      license: null,
    });
    const { model, versions, production } = await trainedModel('csrf', admin);
    const train = await encodedPenguins(model.datasetId, 'train');
    const onnx = buildExternalOnnx(
      fitCentroids(
        train.map((t) => t.row),
        train.map((t) => t.label),
        ['Adelie', 'Chinstrap', 'Gentoo'],
      ),
    );
    await scoreAllBy(versions[1], model.datasetId, 'Adelie');
    const review = {
      datasetId: model.datasetId,
      versionId: versions[1].id,
      queueId: (await queuedReviewQueue(editor, model.datasetId, versions[1])).queueId,
    };
    const reviewed = await textDataset('csrf-review', 3);
    const reviewQueue = await insertReviewQueue(
      { datasetId: reviewed.dataset.id, versionId: versions[0].id },
      reviewed.records.map((r) => r.id),
      { secondReview: true },
    );
    await labelItem(userActor(await createTestUser('data_scientist')), reviewQueue.id, 3, { label: 'spam' });
    fixtures = {
      review,
      reviewQueueId: reviewQueue.id,
      dataset,
      records,
      deleted,
      deletedToo: records[10]!,
      emptyDataset,
      model,
      versions,
      penguinRecordId: (await DataRecord.findOne({ where: { datasetId: model.datasetId }, order: [['id', 'ASC']] }))!
        .id,
      production,
      jobs: { console: await queuedJob(admin, model.name), api: await queuedJob(admin, model.name) },
      keys: {
        revoke: (await issuedKey(otherAdmin)).apiKey,
        delete: (await issuedKey(otherAdmin)).apiKey,
        bearer: (await issuedKey(admin, ['records:read', 'records:write'])).key,
      },
      users: { edit: await createTestUser('auditor'), delete: await createTestUser('auditor') },
      onnx,
      history,
    };
    victim = new HttpSession(server.baseUrl);
    assert.equal((await victim.login(admin.email, TEST_PASSWORD)).status, 302);
    other = new HttpSession(server.baseUrl);
    assert.equal((await other.login(otherAdmin.email, TEST_PASSWORD)).status, 302);
    assert.ok(
      tokenOf(victim) && tokenOf(other) && tokenOf(victim) !== tokenOf(other),
      'each session has its own token',
    );
  });
  after(async () => {
    await cancelQueuedJobs(); // leave the shared queue as we found it: no backlog for the next suite's worker
    await server?.stop();
  });

  /** Sends `write` with the victim's session cookie, as `forgery` (or, without one, as the console's own client). */
  const send = (write: Write, forgery?: Forgery) => {
    const token = forgery ? forgery.token({ victim, other }) : tokenOf(victim);
    const cookies = new Map(victim.cookies);
    if (token !== undefined) cookies.set('XSRF-TOKEN', encodeURIComponent(token));
    const headers: Record<string, string> = {
      accept: 'application/json',
      cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(token !== undefined ? { 'x-xsrf-token': token } : {}),
      ...(forgery ? forgery.headers : { origin: ownOrigin, 'sec-fetch-site': 'same-origin' }),
      ...(write.json ? { 'content-type': 'application/json' } : {}),
    };
    const body = write.form ? write.form() : write.json ? JSON.stringify(write.json) : undefined;
    return fetch(`${server.baseUrl}${write.path}`, { method: write.method, headers, body, redirect: 'manual' });
  };

  /** Every forgery is refused with 403 and leaves every table as it was; then the real request writes. */
  const provesProtected = async (write: Write, refusal: (body: Record<string, unknown>) => void) => {
    const before = await dataChecksum(EXCEPT_AUDIT);
    for (const forgery of FORGERIES) {
      const response = await send(write, forgery);
      const text = await response.text();
      assert.equal(response.status, 403, `${forgery.name}: HTTP ${response.status} ${text.slice(0, 300)}`);
      refusal(JSON.parse(text) as Record<string, unknown>);
    }
    assert.deepEqual(
      changedTables(before, await dataChecksum(EXCEPT_AUDIT)),
      [],
      'the refused requests changed nothing but the audit log',
    );

    // Taken now: the refusals above may have written audit events; the genuine request must write on its own.
    const beforeGenuine = await dataChecksum();
    const genuine = await send(write);
    const text = await genuine.text();
    assert.ok(
      genuine.status >= 200 && genuine.status < 300,
      `the same request with the session's token: HTTP ${genuine.status} ${text.slice(0, 300)}`,
    );
    if (text.startsWith('{')) {
      const body = JSON.parse(text) as {
        notice?: { type?: string; message?: string };
        record?: { errors?: Record<string, unknown> };
      };
      assert.notEqual(body.notice?.type, 'error', `the genuine request succeeds: ${body.notice?.message}`);
      assert.deepEqual(body.record?.errors ?? {}, {}, 'no validation errors');
    }
    if (write.writes === false) assert.deepEqual(changedTables(before, await dataChecksum(EXCEPT_AUDIT)), []);
    else
      assert.ok(
        changedTables(beforeGenuine, await dataChecksum()).length > 0,
        'the genuine request did write: the refusals above were not vacuous',
      );
  };

  describe('console actions', () => {
    it('has a forgery scenario for every console action some role may use that is not read-only (enumerated from AdminJS)', () => {
      const admin = createAdmin();
      const writing: string[] = [];
      for (const resource of admin.resources) {
        const id = resource.decorate().id();
        for (const name of Object.keys(resource.decorate().actions)) {
          if (READ_ONLY_ACTIONS.has(name)) continue;
          const someoneMay = Role.options.some(
            (role) => decide({ type: 'user', id: 1, email: 'x@example.com', role }, id, name) !== false,
          );
          if (someoneMay) writing.push(`${id}.${name}`);
        }
      }
      assert.deepEqual(writing.sort(), Object.keys(CONSOLE_WRITES).sort());
    });

    for (const [key, build] of Object.entries(CONSOLE_WRITES)) {
      it(`refuses ${key} without the session's token or from another site, changing nothing`, async () => {
        await provesProtected(build(fixtures), (body) => assert.equal(body.error, 'csrf'));
      });
    }
  });

  describe('API calls made with the console session', () => {
    it('has a forgery scenario for every API route that is not a GET (enumerated from /api/openapi.json)', async () => {
      const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const unsafe = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods)
          .filter((m) => m !== 'get')
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
      assert.deepEqual(unsafe.sort(), Object.keys(API_WRITES).sort());
    });

    for (const [key, build] of Object.entries(API_WRITES)) {
      it(`refuses ${key} with the session cookie but without its token or from another site, changing nothing`, async () => {
        await provesProtected(build(fixtures), (body) => assert.equal(body.code, 'auth.csrf'));
      });
    }

    it('lets a bearer-key API write through without any CSRF token (a key is never sent by a browser on its own)', async () => {
      const record = fixtures.records[4]!;
      const response = await fetch(`${server.baseUrl}/api/v1/records/${record.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${fixtures.keys.bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ split: 'holdout' }),
      });
      assert.equal(response.status, 200, await response.text());
      assert.equal((await DataRecord.findByPk(record.id))?.split, 'holdout');
    });
  });

  describe('refusals of a signed-in session are audited, a flood of them is bounded', () => {
    /** A fresh signed-in admin: their refusals are counted on their own. */
    const signedIn = async () => {
      const user = await createTestUser('admin');
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      return { user, http };
    };
    const forged = (http: HttpSession, path: string, method = 'POST', headers: Record<string, string> = {}) =>
      http.request(path, {
        method,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': 'forger/1.0',
          'x-request-id': `forged-${unique('r')}`,
          ...headers,
        },
        body: JSON.stringify({ label: 'spam' }),
      });

    it('writes one denied event per refusal with who (actor, role), what (method, path), why (auth.csrf and the message), IP, user agent and request id', async () => {
      const { user, http } = await signedIn();
      const record = (await DataRecord.findByPk(fixtures.records[0]!.id))!;
      const cases: Array<{
        path: string;
        method?: string;
        headers: Record<string, string>;
        resource: string;
        message: RegExp;
      }> = [
        {
          path: `/admin/api/resources/records/records/${record.id}/edit`,
          headers: { origin: EVIL },
          resource: 'console',
          message: /^auth\.csrf: Cross-site request refused/,
        },
        {
          path: `/admin/api/resources/records/records/${record.id}/edit`,
          headers: { origin: ownOrigin },
          resource: 'console',
          message: /^auth\.csrf: Missing or invalid CSRF token/,
        },
        {
          path: `/api/v1/records/${record.id}`,
          method: 'PATCH',
          headers: { 'sec-fetch-site': 'cross-site' },
          resource: 'api',
          message: /^auth\.csrf: Cross-site request refused/,
        },
      ];
      for (const c of cases) {
        const requestId = `forged-${unique('r')}`;
        const response = await forged(http, c.path, c.method, { ...c.headers, 'x-request-id': requestId });
        assert.equal(response.status, 403);
        const event = await AuditEvent.findOne({ where: { requestId } });
        assert.ok(event, `${c.method ?? 'POST'} ${c.path} ${JSON.stringify(c.headers)}: audited`);
        assert.deepEqual(
          [
            event.outcome,
            event.actorType,
            event.actorId,
            event.actorLabel,
            event.actorRole,
            event.action,
            event.resource,
            event.selection,
            event.userAgent,
            event.ip,
          ],
          [
            'denied',
            'user',
            String(user.id),
            user.email,
            'admin',
            'http.request',
            c.resource,
            { method: c.method ?? 'POST', path: c.path },
            'forger/1.0',
            '127.0.0.1',
          ],
        );
        assert.match(event.reason ?? '', c.message);
      }
      assert.equal((await DataRecord.findByPk(record.id))?.label, record.label, 'nothing changed');
      const page = await http.request('/admin/logout', {
        headers: { 'sec-fetch-site': 'cross-site', 'x-request-id': 'forged-logout-of-a-signed-in-user' },
      });
      assert.equal(page.status, 403);
      assert.equal(
        (await AuditEvent.findOne({ where: { requestId: 'forged-logout-of-a-signed-in-user' } }))?.selection?.path,
        '/admin/logout',
        'a refused GET that would write is audited too',
      );
    });

    it('writes no event for a refusal without a signed-in session: there is no "who"', async () => {
      const before = await AuditEvent.max<number, AuditEvent>('seq');
      const anonymous = new HttpSession(server.baseUrl);
      const response = await forged(
        anonymous,
        `/admin/api/resources/records/records/${fixtures.records[0]!.id}/edit`,
        'POST',
        { origin: EVIL },
      );
      assert.equal(response.status, 403);
      assert.equal(await AuditEvent.count({ where: { seq: { [Op.gt]: before ?? 0 }, action: 'http.request' } }), 0);
    });

    it('counts a flood of 200 refused POSTs from one session in a bounded number of events, every refusal counted, the chain intact', async () => {
      const { user, http } = await signedIn();
      const path = `/admin/api/resources/records/records/${fixtures.records[0]!.id}/edit`;
      // Twenty times the per-minute bound of single events (was 500: the bound shows as well at 200).
      const flood = 20 * REFUSALS_LOGGED_PER_MINUTE;
      const before = await AuditEvent.max<number, AuditEvent>('seq');
      for (let sent = 0; sent < flood; sent += 25) {
        // 25 at a time: the count is shared state, raced as several web processes would race it.
        const answers = await Promise.all(
          Array.from({ length: 25 }, () => forged(http, path, 'POST', { origin: EVIL })),
        );
        assert.ok(answers.every((a) => a.status === 403));
      }
      // Summaries are written once their minute is over; the running minute's on demand here.
      await flushRefusalCounts({ includeCurrentMinute: true });
      const events = await AuditEvent.findAll({
        where: { seq: { [Op.gt]: before ?? 0 }, actorId: String(user.id) },
        order: [['seq', 'ASC']],
      });
      assert.ok(
        events.every((e) => e.outcome === 'denied' && /^(auth\.csrf|audit\.refusal_flood): /.test(e.reason ?? '')),
      );
      const summaries = events.filter((e) => typeof e.selection?.repeatedRefusals === 'number');
      const single = events.length - summaries.length;
      const counted = single + summaries.reduce((sum, e) => sum + Number(e.selection!.repeatedRefusals), 0);
      assert.equal(counted, flood, 'every refusal is counted in the log');
      const minutes = new Set(events.map((e) => new Date(e.at).toISOString().slice(0, 16))).size;
      assert.ok(single <= REFUSALS_LOGGED_PER_MINUTE * minutes, `${single} single events over ${minutes} minute(s)`);
      // Per minute: the single events, a summary of the kind, a summary of the actor's overflow; the forced flush adds the running minute's.
      assert.ok(
        events.length <= (REFUSALS_LOGGED_PER_MINUTE + 2) * minutes + 2,
        `${events.length} events for ${flood} refusals over ${minutes} minute(s)`,
      );
      assert.ok(
        summaries.length >= 1 &&
          summaries.every(
            (e) =>
              e.actorRole === 'admin' &&
              e.ip === '127.0.0.1' &&
              e.userAgent === 'forger/1.0' &&
              /^forged-/.test(e.requestId ?? ''),
          ),
        'a summary says who, from where',
      );
      const report = await verifyAuditChain();
      assert.ok(report.ok, `the audit chain verifies: ${report.problem}`);
    });
  });

  describe('a flood of refusals of many kinds from one session', () => {
    it('stays bounded when one session is refused many kinds of action, every refusal counted', async () => {
      const user = await createTestUser('auditor');
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      const record = fixtures.records[0]!.id;
      const dataset = fixtures.dataset.id;
      // Actions the resources have and an auditor may not use: each is a kind of refusal of its own
      // (an action a resource lacks is a 404 before the access check, so a URL cannot make up kinds).
      const refused = [
        `/resources/records/records/${record}/edit`,
        `/resources/records/records/${record}/delete`,
        `/resources/records/bulk/bulkEdit?recordIds=${record}`,
        `/resources/records/bulk/bulkDelete?recordIds=${record}`,
        `/resources/datasets/records/${dataset}/edit`,
        `/resources/datasets/records/${dataset}/delete`,
        `/resources/datasets/records/${dataset}/importCsv`,
        `/resources/records/actions/new`,
      ];
      const before = await AuditEvent.max<number, AuditEvent>('seq');
      const flood = 200;
      for (let sent = 0; sent < flood; sent += 20) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => http.api(refused[(sent + i) % refused.length]!)),
        );
        assert.deepEqual(
          answers.map((a) => a.status),
          Array.from({ length: 20 }, () => 403),
        );
      }
      await flushRefusalCounts({ includeCurrentMinute: true });
      const events = await AuditEvent.findAll({ where: { seq: { [Op.gt]: before ?? 0 }, actorId: String(user.id) } });
      assert.ok(events.every((e) => e.outcome === 'denied'));
      const summaries = events.filter((e) => typeof e.selection?.repeatedRefusals === 'number');
      assert.equal(
        events.length - summaries.length + summaries.reduce((sum, e) => sum + Number(e.selection!.repeatedRefusals), 0),
        flood,
        'every refusal is counted in the log',
      );
      const minutes = new Set(events.map((e) => new Date(e.at).toISOString().slice(0, 16))).size;
      // 8 kinds × 25 refusals: each kind would log 10 of its own, 80 in all; the actor's bound stops at 50.
      assert.ok(
        events.length <= (REFUSALS_LOGGED_PER_ACTOR_MINUTE + refused.length + 1) * minutes,
        `${events.length} events for ${flood} refusals of ${refused.length} kinds over ${minutes} minute(s)`,
      );
      assert.ok(
        summaries.some(
          (e) =>
            e.action === 'audit.refusals' &&
            /^audit\.refusal_flood: more than 50 refusals .*access\.denied: Your role \(auditor\) may not /.test(
              e.reason ?? '',
            ),
        ),
      );
    });
  });

  describe('the login form', () => {
    for (const forgery of FORGERIES.filter((f) => Object.keys(f.headers).length > 0)) {
      it(`refuses a sign-in posted ${forgery.name.replace(/^the right token /, '')}: no session, no login recorded`, async () => {
        const user = await createTestUser('auditor');
        const before = await dataChecksum();
        const http = new HttpSession(server.baseUrl);
        const response = await http.request('/admin/login', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...forgery.headers },
          body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD }).toString(),
        });
        assert.equal(response.status, 403);
        assert.deepEqual(changedTables(before, await dataChecksum()), []);
        assert.equal((await User.findByPk(user.id))?.lastLoginAt, null);
        assert.equal(await AuditEvent.count({ where: { action: 'auth.login', actorId: String(user.id) } }), 0);
        assert.equal(
          (await http.request('/admin/api/resources/records/actions/list', { headers: { accept: 'application/json' } }))
            .status,
          302,
          'not signed in',
        );
      });
    }

    it('signs in when the same form is posted from this origin (the refusals above are the origin check)', async () => {
      const user = await createTestUser('auditor');
      const http = new HttpSession(server.baseUrl);
      const response = await http.request('/admin/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: ownOrigin,
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({ email: user.email, password: TEST_PASSWORD }).toString(),
      });
      assert.equal(response.status, 302);
      assert.equal(await AuditEvent.count({ where: { action: 'auth.login', actorId: String(user.id) } }), 1);
    });
  });

  describe('console routes whose GET writes (logout, audited exports)', () => {
    const routes = ['/admin/exports/audit-events.csv', '/admin/exports/records.jsonl', '/admin/logout'];
    const crossSite: ReadonlyArray<Record<string, string>> = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { referer: `${EVIL}/page` },
    ];

    for (const route of routes) {
      it(`refuses GET ${route} sent from another site, changing nothing and keeping the session`, async () => {
        const http = new HttpSession(server.baseUrl);
        await http.login(admin.email, TEST_PASSWORD);
        const before = await dataChecksum();
        for (const headers of crossSite) {
          const response = await http.request(route, { headers });
          assert.equal(response.status, 403, `${JSON.stringify(headers)}: HTTP ${response.status}`);
          assert.equal(((await response.json()) as { error: string }).error, 'csrf');
        }
        assert.deepEqual(
          changedTables(before, await dataChecksum()).filter(
            (table) => !AUDIT_TABLES.includes(table.replace(/^public\./, '')),
          ),
          [],
          'nothing changed but the audit log',
        );
        assert.equal((await http.api('/resources/records/actions/list')).status, 200, 'still signed in');
        const own = await http.request(route, { headers: { 'sec-fetch-site': 'same-origin' } });
        await own.text();
        assert.ok([200, 302].includes(own.status), `from this origin: HTTP ${own.status}`);
        assert.ok(
          changedTables(before, await dataChecksum()).includes('public.audit_events'),
          'from this origin it works (and is audited)',
        );
      });
    }
  });

  describe('GET never changes data', () => {
    it('leaves every table unchanged after a GET of every record, bulk and resource action the admin may use (API and page routes, enumerated from AdminJS)', async () => {
      const adminJs = createAdmin();
      const http = new HttpSession(server.baseUrl);
      await http.login(admin.email, TEST_PASSWORD);
      // The refusals counted by the tests above would otherwise be summarised in the audit log while this one watches it.
      await flushRefusalCounts({ includeCurrentMinute: true });
      // Rows in the state where each action would act: an unrevoked key, a queued job, an alias with history…
      const targets: Record<string, string[]> = {
        apiKeys: [String((await issuedKey(admin)).apiKey.id), String((await issuedKey(admin)).apiKey.id)],
        jobs: [
          String((await queuedJob(admin, fixtures.model.name)).id),
          String((await queuedJob(admin, fixtures.model.name)).id),
        ],
        modelAliases: [String(fixtures.production.id)],
        records: fixtures.records.slice(0, 2).map((r) => String(r.id)),
        users: [String((await createTestUser('auditor')).id), String((await createTestUser('auditor')).id)],
      };
      await inferenceStat(fixtures.versions[0].id);
      const actor = { type: 'user', id: admin.id, email: admin.email, role: admin.role } as const;
      // What a POST of the action's form would carry, sent as a query string instead.
      const query = new URLSearchParams({
        mode: 'apply',
        alias: 'staging',
        model: fixtures.model.name,
        label: 'spam',
        addTags: 'x',
        ids: String(fixtures.deleted.id),
        'filter.datasetId': String(fixtures.dataset.id),
      });
      let checked = 0;
      // One checksum between two actions: the one after an action is the one before the next (nothing
      // else writes in between, and each must equal the one before it).
      let before = await dataChecksum();
      for (const resource of adminJs.resources) {
        const decorated = resource.decorate();
        const id = decorated.id();
        const ids =
          targets[id] ?? (await resource.find(new Filter({}, resource), { limit: 2 })).map((r: BaseRecord) => idOf(r));
        assert.ok(ids.length > 0, `a ${id} row to act on`);
        for (const action of Object.values(decorated.actions)) {
          if (decide(actor, id, action.name) === false) continue; // refused (403, and the denial is audited)
          const paths: string[] = [];
          if (action.isResourceType()) paths.push(`/resources/${id}/actions/${action.name}`);
          if (action.isRecordType())
            paths.push(`/resources/${id}/records/${encodeURIComponent(ids[0]!)}/${action.name}`);
          if (action.isBulkType())
            paths.push(`/resources/${id}/bulk/${action.name}?recordIds=${ids.map(encodeURIComponent).join(',')}`);
          for (const path of paths) {
            const withQuery = `${path}${path.includes('?') ? '&' : '?'}${query}`;
            const api = await http.api(withQuery);
            // 200, or the refusal of a GET to "new" (405, admin/console-query.ts): the handler was reached or needs POST.
            assert.ok([200, 405].includes(api.status), `GET /admin/api${withQuery}: HTTP ${api.status}`);
            await api.text();
            await (await http.request(`/admin${withQuery}`)).text();
            const after = await dataChecksum();
            assert.deepEqual(changedTables(before, after), [], `GET ${path} changed data`);
            before = after;
            checked += 1;
          }
        }
      }
      assert.ok(checked > 30, `${checked} actions checked`);
      assert.equal((await ApiKey.findByPk(Number(targets.apiKeys![0])))?.revokedAt, null, 'the key is not revoked');
      assert.equal((await Job.findByPk(Number(targets.jobs![0])))?.status, 'queued', 'the job is not cancelled');
    });
  });
});
