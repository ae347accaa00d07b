import assert from 'node:assert/strict';
import { Filter, type BaseRecord } from 'adminjs';
import type { MlModel, ModelAlias, ModelVersion } from '../../models/index.js';
import { ApiScope } from '../../models/enums.js';
import { createAdmin } from '../../admin/index.js';
import { stopWorker } from '../../src/jobs/run-worker.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { cancelQueuedJobs } from '../support/jobs.js';
import { insertReviewQueue } from '../support/review-queue.js';
import {
  inferenceStat,
  issuedKey,
  queuedJob,
  textDataset,
  trainedModel,
  userActor,
  type TestUser,
} from './fixtures.js';

/** A record's id as the console's URLs carry it (a date key as ISO text). */
const idOf = (record: BaseRecord): string => {
  const id = record.id() as unknown;
  return id instanceof Date ? id.toISOString() : String(id);
};

/** Ids no row has, or that are not ids at all, written as they go into a URL. */
const BAD_IDS = [
  'abc',
  '1e999',
  '-1',
  '0x10',
  '99999999999999999999',
  '2147483648',
  '%ff',
  '%00',
  '__proto__',
  'x'.repeat(300),
];

/** Query strings every console action gets: paging, sorting, filters and ids of the wrong shape, repeated, or badly encoded. */
const CONSOLE_QUERIES = [
  'perPage=abc',
  'perPage=1e999',
  'perPage=-1',
  'perPage=0',
  'perPage=2.5',
  'perPage=99999999999999999999',
  'perPage=',
  'perPage[]=10',
  'perPage[a]=1',
  'perPage=10&perPage=20',
  'page=abc',
  'page=1e999',
  'page=-3',
  'page=0',
  'page=99999999999999999999',
  'page=',
  'page[]=1',
  'page=1&page=2',
  'sortBy[]=id',
  'sortBy[a]=id',
  'sortBy=id&sortBy=id',
  'sortBy=',
  'sortBy=nonexistent',
  'sortBy=__proto__',
  'sortBy=id&direction=sideways',
  'direction[]=asc',
  'filters=abc',
  'filters[]=x',
  'filters.nonexistent=1',
  'filters.__proto__.polluted=1',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  'filters[constructor][prototype][polluted]=1',
  'recordIds=abc',
  'recordIds=1e999,-1',
  'recordIds[]=1',
  'recordIds=',
  'recordIds=1&recordIds=2',
  'query[]=x',
  'query=%ff',
  'searchProperty[]=x',
  '%ff=1',
  'perPage=%ff',
  'filters.id=%e0%80',
  'a=%',
];

/** The query cases of every route (the list's own get CONSOLE_QUERIES and each filter's too): shapes the router refuses whatever the action. */
const EVERY_ROUTE_QUERIES = [
  'perPage=abc',
  'page=1e999',
  'sortBy[]=id',
  'perPage=10&perPage=20',
  'filters.tags[0]=x',
  '__proto__[polluted]=1',
  'recordIds=abc',
  '%ff=1',
  'a=%00',
];

/** Values for one filter (`filters.NAME…`): each property is tried with all of them, whatever its type. */
const filterCases = (name: string) => [
  ...['abc', '1e999', '2147483648', '2020-13-45', 'x'.repeat(5000)].map((v) => `filters.${name}=${v}`),
  `filters.${name}[0]=x`,
  `filters.${name}.x.y=1`,
  `filters.${name}~~from=abc`,
  `filters.${name}~~to=1e999`,
];

/** Form bodies (JSON, as AdminJS's client sends them) with keys that reach for prototypes, and values of the wrong shape. */
const FORM_BODIES: readonly string[] = [
  JSON.stringify({ '__proto__.polluted': 'yes' }),
  JSON.stringify({ 'constructor.prototype.polluted': 'yes' }),
  JSON.stringify({ 'features.__proto__.polluted': 'yes' }),
  JSON.stringify({ 'a.b.__proto__.polluted': 'yes' }),
  JSON.stringify({ 'labels.__proto__': 'yes' }),
  JSON.stringify({ prototype: 'yes' }),
  JSON.stringify({ 'x[__proto__][polluted]': 'yes' }),
  '{"__proto__": {"polluted": "yes"}}',
  '{"a": {"__proto__": {"polluted": "yes"}}}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"name": "a\\u0000b", "text": "a\\u0000b", "label": "a\\u0000b", "description": "a\\u0000b", "alias": "a\\u0000b", "email": "a\\u0000b@example.com"}',
];

/** Query parameters of every API route, of the wrong shape. */
const apiQueryCases = (name: string) => [
  `${name}=`,
  `${name}[]=1`,
  `${name}[a]=1`,
  `${name}=1e999`,
  `${name}=abc`,
  `${name}=-1`,
  `${name}=%ff`,
  `${name}=99999999999999999999`,
  `${name}=1&${name}=2`,
];
const API_QUERIES = ['%ff=1', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'a=%'];
const API_BODIES = [
  '[]',
  '"x"',
  'null',
  '1e999',
  '{',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"instances":"x"}',
  '{"instances":[[1e999]]}',
  '{"version":"1e999"}',
  '{"maxEpochs":[1]}',
  '{"label":{"x":1}}',
  '{"datasetId":"abc","text":[],"label":null}',
  '{"text":"a\\u0000b","label":"a\\u0000b","alias":"a\\u0000b","model":"a\\u0000b"}',
];

/**
 * What is wrong with an answer, if anything: a 5xx, a redirect (the session was lost: the request proved
 * nothing), or a 4xx without a message a person can act on (`message` in the console, `detail` in an API
 * problem, or an error notice).
 */
function problemWith(where: string, status: number, text: string): string | undefined {
  const said = `${where}: HTTP ${status} ${text.slice(0, 160)}`;
  if (status >= 500) return said;
  if (status >= 300 && status < 400) return `${said} (redirect)`;
  if (status < 400) return undefined;
  try {
    const body = JSON.parse(text) as { message?: unknown; detail?: unknown; notice?: { message?: unknown } };
    const message = body.message ?? body.detail ?? body.notice?.message;
    return typeof message === 'string' && message.trim().length > 0 ? undefined : `${said} (no message)`;
  } catch {
    return `${said} (not JSON)`;
  }
}

/** Collects what went wrong over many requests, to report every failing case at once. */
class Findings {
  readonly list: string[] = [];
  sent = 0;
  check(where: string, status: number, text: string): void {
    this.sent += 1;
    const problem = problemWith(where, status, text);
    if (problem) this.list.push(problem);
  }
  assertNone(): void {
    assert.equal(
      this.list.length,
      0,
      `${this.list.length} of ${this.sent} answers were wrong:\n${this.list.slice(0, 60).join('\n')}`,
    );
  }
}

describe('malformed input: never a 500, a 4xx that says what was wrong (real server, real Postgres)', () => {
  let server: RunningConsole;
  let admin: TestUser;
  let http: HttpSession;
  let key: string;
  let model: MlModel;
  let versions: [ModelVersion, ModelVersion];
  let production: ModelAlias;
  /** Rows record and bulk actions act on: each resource's own, never the signed-in admin. */
  const targets: Record<string, string[]> = {};
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  before(async function () {
    this.timeout(240_000);
    await stopWorker();
    server = await startConsoleServer();
    admin = await createTestUser('admin');
    ({ model, versions, production } = await trainedModel('malformed', admin));
    await promoteAlias(userActor(admin), { versionId: versions[0].id, alias: 'staging' });
    const { dataset, records } = await textDataset('malformed', 4);
    await insertReviewQueue({ datasetId: dataset.id, versionId: versions[0].id }, [records[3]!.id]);
    await inferenceStat(versions[0].id);
    key = (await issuedKey(admin, [...ApiScope.options])).key;
    http = new HttpSession(server.baseUrl);
    assert.equal((await http.login(admin.email, TEST_PASSWORD)).status, 302);
    targets.records = records.slice(0, 2).map((r) => String(r.id));
    targets.datasets = [String(dataset.id)];
    targets.users = [String((await createTestUser('auditor')).id), String((await createTestUser('auditor')).id)];
    targets.apiKeys = [String((await issuedKey(admin)).apiKey.id), String((await issuedKey(admin)).apiKey.id)];
    targets.jobs = [String((await queuedJob(admin, model.name)).id), String((await queuedJob(admin, model.name)).id)];
    targets.modelAliases = [String(production.id)];
  });
  after(async () => {
    await cancelQueuedJobs(); // leave the shared queue as we found it: no backlog for the next suite's worker
    await server?.stop();
  });

  const token = () => decodeURIComponent(http.cookies.get('XSRF-TOKEN') ?? '');

  /** A console API call as AdminJS's client makes it, with a raw (possibly malformed) path and body. */
  const consoleCall = async (method: 'GET' | 'POST', path: string, body?: string) => {
    const response = await http.request(`/admin/api${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'x-xsrf-token': token(),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  };

  /** An API call with the key (the predict fast path for keyed predicts) or with the console session. */
  const apiCall = async (via: 'key' | 'session', method: string, path: string, body?: string) => {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    };
    const response =
      via === 'key'
        ? await fetch(`${server.baseUrl}${path}`, {
            method,
            headers: { ...headers, authorization: `Bearer ${key}` },
            body,
          })
        : await http.request(path, { method, headers: { ...headers, 'x-xsrf-token': token() }, body });
    return { status: response.status, text: await response.text() };
  };

  const assertNoPollution = () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
    assert.deepEqual(
      Object.getOwnPropertyNames(Object.prototype).sort(),
      prototypeKeys,
      'Object.prototype gained properties',
    );
  };

  /** Every console action of every resource (enumerated from AdminJS), with the paths it answers on. */
  const consoleActions = async () => {
    const adminJs = createAdmin();
    const out: Array<{
      resource: string;
      action: string;
      type: 'resource' | 'record' | 'bulk';
      path: (ids: string[]) => string;
      filters: string[];
    }> = [];
    for (const resource of adminJs.resources) {
      const decorated = resource.decorate();
      const id = decorated.id();
      targets[id] ??= (await resource.find(new Filter({}, resource), { limit: 2 })).map(idOf);
      const filters = decorated.getProperties({ where: 'filter' }).map((p) => p.propertyPath);
      for (const action of Object.values(decorated.actions)) {
        if (action.isResourceType())
          out.push({
            resource: id,
            action: action.name,
            type: 'resource',
            path: () => `/resources/${id}/actions/${action.name}`,
            filters,
          });
        if (action.isRecordType())
          out.push({
            resource: id,
            action: action.name,
            type: 'record',
            path: (ids) => `/resources/${id}/records/${ids[0]}/${action.name}`,
            filters,
          });
        if (action.isBulkType())
          out.push({
            resource: id,
            action: action.name,
            type: 'bulk',
            path: (ids) => `/resources/${id}/bulk/${action.name}?recordIds=${ids.join(',')}`,
            filters,
          });
      }
    }
    return out;
  };

  describe('the console', () => {
    it('answers malformed paging, sorting, filters and ids on every list, search and action of every resource (GET and POST) without a 500', async function () {
      this.timeout(900_000);
      const actions = await consoleActions();
      assert.ok(actions.length > 40, `${actions.length} actions`);
      const findings = new Findings();
      for (const { resource, action, type, path, filters } of actions) {
        const ids = targets[resource] ?? [];
        assert.ok(ids.length > 0, `a ${resource} row`);
        const base = path(ids.map(encodeURIComponent));
        // The list gets every case; the other actions the shapes the router refuses whatever the action
        // (the search and the exports build their queries with the same Filter and ConsoleResource).
        const queries = action === 'list' ? [...CONSOLE_QUERIES, ...filters.flatMap(filterCases)] : EVERY_ROUTE_QUERIES;
        for (const query of queries) {
          const url = `${base}${base.includes('?') ? '&' : '?'}${query}`;
          const answer = await consoleCall('GET', url);
          findings.check(`GET ${url}`, answer.status, answer.text);
        }
        // POSTs: malformed ids and the query cases that change no data whatever the action (its rows are unknown).
        if (type !== 'resource') {
          for (const bad of BAD_IDS) {
            for (const method of ['GET', 'POST'] as const) {
              const url = path([bad]);
              const answer = await consoleCall(method, url, method === 'POST' ? '{}' : undefined);
              findings.check(`${method} ${url}`, answer.status, answer.text);
            }
          }
        }
        for (const body of FORM_BODIES) {
          const answer = await consoleCall('POST', base, body);
          findings.check(`POST ${base} ${body}`, answer.status, answer.text);
        }
        assertNoPollution();
      }
      findings.assertNone();
      assert.ok(findings.sent > 1_500, `${findings.sent} requests`);
    });

    it('answers malformed queries on the exports of "the current list view" without a 500', async function () {
      this.timeout(300_000);
      const findings = new Findings();
      const filters = {
        '/exports/records.csv': ['datasetId', 'split', 'label', 'tags', 'scoredAt', 'createdAt'],
        '/exports/audit-events.csv': ['at', 'outcome', 'recordIds', 'q', 'action'],
      };
      for (const [path, names] of Object.entries(filters)) {
        for (const query of [
          ...EVERY_ROUTE_QUERIES,
          'sortBy=nonexistent',
          'direction=sideways',
          ...names.flatMap((n) => [
            `filters.${n}=1e999`,
            `filters.${n}~~from=abc`,
            `filters.${n}=a&filters.${n}=b`,
            `filters.${n}.x=1`,
          ]),
        ]) {
          const response = await http.request(`/admin${path}?${query}`, {
            headers: { 'sec-fetch-site': 'same-origin' },
          });
          findings.check(`GET ${path}?${query}`, response.status, await response.text());
        }
      }
      findings.assertNone();
    });

    it('refuses a prototype-reaching form key with 400 naming it, before any action sees it', async () => {
      for (const path of [
        '/resources/records/actions/new',
        `/resources/datasets/records/${encodeURIComponent(targets.datasets![0]!)}/edit`,
        `/resources/users/records/${targets.users![0]}/edit`,
      ]) {
        for (const body of FORM_BODIES.filter((b) => !b.includes('u0000'))) {
          const answer = await consoleCall('POST', path, body);
          assert.equal(answer.status, 400, `POST ${path} ${body}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
          assert.match((JSON.parse(answer.text) as { message: string }).message, /__proto__|constructor|prototype/);
        }
      }
      assertNoPollution();
    });

    it("answers actions a resource does not have, or of another type, with 404 and what there is (the rule table's `archive` included)", async () => {
      const record = targets.records![0]!;
      const paths = [
        '/resources/auditEvents/actions/archive',
        '/resources/models/actions/predict',
        '/resources/inferenceStats/actions/systemHealth',
        '/resources/records/actions/nope',
        '/resources/records/actions/constructor',
        '/resources/records/actions/__proto__',
        '/resources/nope/actions/list',
        '/resources/records/actions/edit',
        `/resources/records/records/${record}/list`,
        `/resources/records/records/${record}/nope`,
        `/resources/records/bulk/show?recordIds=${record}`,
        `/resources/records/bulk/nope?recordIds=${record}`,
        '/resources/records/search/%ff',
      ];
      const findings = new Findings();
      for (const path of paths) {
        for (const method of ['GET', 'POST'] as const) {
          const answer = await consoleCall(method, path, method === 'POST' ? '{}' : undefined);
          findings.check(`${method} ${path}`, answer.status, answer.text);
          if (answer.status >= 500) continue;
          if (!path.includes('%ff'))
            assert.equal(answer.status, 404, `${method} ${path}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
        }
      }
      findings.assertNone();
    });

    it('answers the known 500s with 400 and a message that names the parameter', async () => {
      const cases: Array<[string, RegExp]> = [
        ['/resources/records/actions/list?perPage=abc', /perPage/],
        ['/resources/jobs/actions/list?page=1e999', /page/],
        ['/resources/users/actions/list?sortBy[]=id', /sortBy/],
        ['/resources/records/actions/list?filters.split=abc', /split.*train/s],
        ['/resources/records/actions/list?filters.datasetId=abc', /datasetId/],
        ['/resources/records/actions/list?filters.tags[0]=x', /tags/],
        ['/resources/auditEvents/actions/list?filters.outcome=nope', /outcome.*success/s],
        ['/resources/records/actions/list?perPage=10&perPage=20', /perPage.*once/s],
      ];
      for (const [path, message] of cases) {
        const answer = await consoleCall('GET', path);
        assert.equal(answer.status, 400, `GET ${path}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
        assert.match((JSON.parse(answer.text) as { message: string }).message, message, path);
      }
    });

    it('still serves well-formed lists, filters, sorting and paging', async () => {
      const ok = [
        `/resources/records/actions/list?perPage=5&page=2&sortBy=id&direction=asc&filters.split=train&filters.datasetId=${targets.datasets![0]}`,
        '/resources/jobs/actions/list?filters.status=queued',
        '/resources/auditEvents/actions/list?filters.outcome=success&filters.at~~from=2020-01-01&filters.at~~to=2100-01-01',
        '/resources/users/actions/list?filters.active=true&filters.role=auditor',
        '/resources/records/actions/list?filters.tags=x',
      ];
      for (const path of ok) {
        const answer = await consoleCall('GET', path);
        assert.equal(answer.status, 200, `GET ${path}: ${answer.text.slice(0, 300)}`);
        assert.notEqual((JSON.parse(answer.text) as { notice?: { type?: string } }).notice?.type, 'error', path);
      }
    });
  });

  describe('the API', () => {
    interface Operation {
      parameters?: Array<{ name: string; in: 'path' | 'query' }>;
    }

    it('answers malformed path parameters, query strings and bodies on every OpenAPI route, by key and by session, without a 500', async function () {
      this.timeout(600_000);
      const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, Operation>>;
      };
      const valid: Record<string, string> = {
        name: encodeURIComponent(model.name),
        id: targets.records![0]!,
        alias: 'staging',
      };
      const findings = new Findings();
      for (const [template, methods] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(methods)) {
          const params = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
          const queryNames = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          const fill = (bad?: { name: string; value: string }) =>
            template.replace(/\{(\w+)\}/g, (_m, name: string) =>
              bad?.name === name ? bad.value : (valid[name] ?? '1'),
            );
          const requests: Array<{ path: string; body?: string }> = [];
          for (const name of params)
            for (const value of [...BAD_IDS, '%']) requests.push({ path: fill({ name, value }) });
          for (const query of [...queryNames.flatMap(apiQueryCases), ...API_QUERIES])
            requests.push({ path: `${fill()}?${query}` });
          if (method !== 'get' && method !== 'delete')
            for (const body of API_BODIES) requests.push({ path: fill(), body });
          for (const { path, body } of requests) {
            for (const via of ['key', 'session'] as const) {
              // A DELETE with valid ids would delete; only its malformed paths are sent.
              if (method === 'delete' && !params.some((p) => !path.includes(`/${valid[p]}`))) continue;
              const answer = await apiCall(
                via,
                method.toUpperCase(),
                path,
                body ?? (method === 'get' || method === 'delete' ? undefined : '{}'),
              );
              findings.check(`${via} ${method.toUpperCase()} ${path} ${body ?? ''}`, answer.status, answer.text);
            }
          }
          assertNoPollution();
        }
      }
      findings.assertNone();
      assert.ok(findings.sent > 500, `${findings.sent} requests`);
    });

    it('answers POST /api/v1/models/%ff/predict (a path that is not UTF-8) with a 400 problem, by key and by session', async () => {
      for (const via of ['key', 'session'] as const) {
        const answer = await apiCall(via, 'POST', '/api/v1/models/%ff/predict', '{"instances":[]}');
        assert.equal(answer.status, 400, `${via}: ${answer.text.slice(0, 200)}`);
        const problem = JSON.parse(answer.text) as { detail: string; status: number };
        assert.equal(problem.status, 400);
        assert.ok(problem.detail.length > 0);
      }
    });
  });

  describe('one rule for repeated parameters', () => {
    it('refuses a repeated scalar parameter with 400 naming it on every path: predict by key (fast path) and by session, other API routes, the console', async () => {
      const instances = JSON.stringify({
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
      });
      const predict = `/api/v1/models/${encodeURIComponent(model.name)}/predict`;
      for (const via of ['key', 'session'] as const) {
        const served = await apiCall(via, 'POST', `${predict}?alias=staging`, instances);
        assert.equal(served.status, 200, `${via}: a single alias is served: ${served.text.slice(0, 200)}`);
        const repeated = await apiCall(via, 'POST', `${predict}?alias=production&alias=staging`, instances);
        assert.equal(repeated.status, 400, `${via} predict: ${repeated.text.slice(0, 200)}`);
        assert.match((JSON.parse(repeated.text) as { detail: string }).detail, /alias/);
        const list = await apiCall(via, 'GET', '/api/v1/records?limit=5&limit=6');
        assert.equal(list.status, 400, `${via} list: ${list.text.slice(0, 200)}`);
        assert.match((JSON.parse(list.text) as { detail: string }).detail, /limit/);
      }
      const console = await consoleCall('GET', '/resources/records/actions/list?sortBy=id&sortBy=text');
      assert.equal(console.status, 400, console.text.slice(0, 200));
      assert.match((JSON.parse(console.text) as { message: string }).message, /sortBy/);
    });
  });
});
