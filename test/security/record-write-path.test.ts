import assert from 'node:assert/strict';
import { Op } from 'sequelize';
import { AuditEvent, DataRecord, Dataset } from '../../models/index.js';
import { flushRefusalCounts } from '../../src/audit/record-refusal.js';
import { ApiScope, type FeatureSpec } from '../../models/enums.js';
import { Role } from '../../src/access/roles.js';
import { unusableScopes } from '../../src/auth/api-keys/scopes.js';
import { stopWorker } from '../../src/jobs/run-worker.js';
import { unique } from '../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { issuedKey, userActor, type TestUser } from './fixtures.js';

/**
 * One write path for records: every (role × field × value) tried as a create, an edit and a bulk edit
 * through the console (the form's own flat multipart fields, as AdminJS's client posts them) and
 * through /api/v1 (a key of the role, and the console session), must end the same way: allowed or
 * refused with the same error code, the same stored row, and the same audit trail (one success event
 * with before/after, or a `denied`/`failed` event for every refusal).
 */

const SCHEMA: FeatureSpec[] = [
  { name: 'body_mass_g', type: 'number' },
  { name: 'island', type: 'category', categories: ['Biscoe', 'Dream', 'Torgersen'] },
];
const LABELS = ['Adelie', 'Chinstrap', 'Gentoo'];
const FIELDS = ['datasetId', 'text', 'features', 'label', 'split', 'tags', 'source'] as const;
type Stored = Record<(typeof FIELDS)[number], unknown>;

/** A record's fields as the API takes them; `undefined` removes a field from the request. */
type Fields = Partial<Record<(typeof FIELDS)[number], unknown>>;

interface Case {
  name: string;
  /** Only for create: the fields of the new record (replacing the base record's). */
  create?: (base: Fields) => Fields;
  /** Only for edit: the fields changed (the console form sends these over the record's others). */
  edit?: Fields;
  /** Only for bulk edit: the change (label, split, addTags, removeTags). */
  bulk?: Record<string, unknown>;
  /** What must come out for a role allowed to try (a sanity anchor, besides console = API). */
  expect?: Partial<Record<Role, string>>;
}

const FM = '__FORM_VALUE_EMPTY_ARRAY__';
const FORM_NULL = '__FORM_VALUE_NULL__';

describe('records: the console and the API are one write path (real server, real Postgres)', function () {
  this.timeout(600_000);
  let server: RunningConsole;
  let tabular: Dataset;
  let textual: Dataset;
  let admin: HttpSession;
  const people = new Map<Role, { user: TestUser; http: HttpSession; key: string; keyCanWrite: boolean }>();

  const base = (): Fields => ({
    datasetId: tabular.id,
    features: { body_mass_g: 3750, island: 'Dream' },
    label: 'Adelie',
    split: 'train',
    tags: ['seed'],
    source: 'write path',
  });
  const freshRecord = async () =>
    (
      await DataRecord.create({
        datasetId: tabular.id,
        text: null,
        features: { body_mass_g: 3750, island: 'Dream' },
        label: 'Adelie',
        split: 'train',
        tags: ['seed', 'old'],
        source: 'write path',
      })
    ).id;

  const CASES: Case[] = [
    {
      name: 'text (set)',
      create: (b) => ({ ...b, text: 'a note' }),
      edit: { text: 'a note' },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'ok' },
    },
    {
      name: 'features (valid; a number typed as text)',
      create: (b) => ({ ...b, features: { body_mass_g: 4100, island: 'Biscoe' } }),
      edit: { features: { body_mass_g: 4100, island: 'Biscoe' } },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'ok', admin: 'ok' },
    },
    {
      name: 'features (wrong type: body_mass_g=abc)',
      create: (b) => ({ ...b, features: { body_mass_g: 'abc', island: 'Dream' } }),
      edit: { features: { body_mass_g: 'abc', island: 'Dream' } },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'record.features_invalid' },
    },
    {
      name: 'features (unknown key zzz="")',
      create: (b) => ({ ...b, features: { zzz: '' } }),
      edit: { features: { zzz: '' } },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'record.features_invalid' },
    },
    {
      name: 'features (missing: text only on create, one feature left out on edit)',
      create: (b) => ({ ...b, features: undefined, text: 'text only' }),
      edit: { features: { body_mass_g: 3900 } },
      expect: { data_scientist: 'records.field_forbidden' },
    },
    {
      name: 'features (category outside its list)',
      create: (b) => ({ ...b, features: { body_mass_g: 3750, island: 'Atlantis' } }),
      edit: { features: { body_mass_g: 3750, island: 'Atlantis' } },
      expect: { content_manager: 'record.features_invalid' },
    },
    {
      name: 'label (valid)',
      create: (b) => ({ ...b, label: 'Gentoo' }),
      edit: { label: 'Gentoo' },
      bulk: { label: 'Gentoo' },
      expect: { data_scientist: 'ok', content_manager: 'ok' },
    },
    {
      name: 'label (not in the label set)',
      create: (b) => ({ ...b, label: 'Emperor' }),
      edit: { label: 'Emperor' },
      bulk: { label: 'Emperor' },
      expect: { data_scientist: 'record.label_not_in_dataset', content_manager: 'record.label_not_in_dataset' },
    },
    {
      name: 'split (valid)',
      create: (b) => ({ ...b, split: 'test' }),
      edit: { split: 'test' },
      bulk: { split: 'test' },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'ok' },
    },
    {
      name: 'split (invalid)',
      create: (b) => ({ ...b, split: 'bogus' }),
      edit: { split: 'bogus' },
      bulk: { split: 'bogus' },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'record.invalid' },
    },
    {
      name: 'tags (set)',
      create: (b) => ({ ...b, tags: ['reviewed', 'hard'] }),
      edit: { tags: ['reviewed', 'hard'] },
      bulk: { addTags: 'reviewed,hard' },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'ok' },
    },
    {
      name: 'tags (clear)',
      create: (b) => ({ ...b, tags: [] }),
      edit: { tags: [] },
      bulk: { removeTags: 'seed,old' },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'ok' },
    },
    {
      name: 'source',
      create: (b) => ({ ...b, source: 'field notebook 7' }),
      edit: { source: 'field notebook 7' },
      expect: { data_scientist: 'records.field_forbidden', content_manager: 'ok' },
    },
    {
      name: 'datasetId (another dataset, on edit)',
      edit: { datasetId: -1 },
      expect: {
        data_scientist: 'records.field_forbidden',
        content_manager: 'record.dataset_fixed',
        admin: 'record.dataset_fixed',
      },
    },
  ];

  before(async function () {
    this.timeout(240_000);
    await stopWorker();
    server = await startConsoleServer();
    tabular = await Dataset.create({
      name: unique('writepath-penguins'),
      task: 'tabular-classification',
      labels: LABELS,
      featureSchema: SCHEMA,
      description: null,
      source: null,
      license: null,
    });
    textual = await Dataset.create({
      name: unique('writepath-text'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    for (const role of Role.options) {
      const user = await createTestUser(role);
      const http = new HttpSession(server.baseUrl);
      assert.equal((await http.login(user.email, TEST_PASSWORD)).status, 302);
      const keyCanWrite = unusableScopes(userActor(user), ['records:write']).length === 0;
      const scopes = ApiScope.options.filter((scope) => unusableScopes(userActor(user), [scope]).length === 0);
      const { key } = await issuedKey(user, scopes);
      people.set(role, { user, http, key, keyCanWrite });
    }
    admin = people.get('admin')!.http;
  });
  after(() => server?.stop());

  const resolve = (fields: Fields): Fields => ({
    ...fields,
    ...('datasetId' in fields && fields.datasetId === -1 ? { datasetId: textual.id } : {}),
  });

  /** Fields → the flat form fields AdminJS's client posts (paramsToFormData). */
  const toForm = (params: Record<string, unknown>): FormData => {
    const form = new FormData();
    for (const [key, value] of Object.entries(params)) {
      if (value === null || value === undefined) form.set(key, FORM_NULL);
      else if (Array.isArray(value)) form.set(key, FM);
      else if (typeof value === 'object') form.set(key, '__FORM_VALUE_EMPTY_OBJECT__');
      else form.set(key, String(value));
    }
    return form;
  };
  /** A nested field as flat params: features.island, tags.0. */
  const flatten = (fields: Fields): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        if (value.length === 0) out[key] = [];
        (value as unknown[]).forEach((v, i) => (out[`${key}.${i}`] = v));
      } else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) out[`${key}.${k}`] = v;
      } else out[key] = value;
    }
    return out;
  };
  const consolePost = (http: HttpSession, path: string, form: FormData) =>
    http.request(`/admin/api${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-xsrf-token': decodeURIComponent(http.cookies.get('XSRF-TOKEN') ?? '') },
      body: form,
    });
  const apiCall = (via: 'key' | 'session', role: Role, method: string, path: string, body: unknown) => {
    const person = people.get(role)!;
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (via === 'key') {
      headers.authorization = `Bearer ${person.key}`;
      return fetch(`${server.baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    }
    headers['x-xsrf-token'] = decodeURIComponent(person.http.cookies.get('XSRF-TOKEN') ?? '');
    return person.http.request(path, { method, headers, body: JSON.stringify(body) });
  };

  /** An answer as an outcome: 'ok', the error code, or 'role' for a 403 refusing the action itself. */
  const consoleOutcome = async (
    response: Response,
  ): Promise<{ outcome: string; id?: number; fieldErrors?: Record<string, unknown> }> => {
    const text = await response.text();
    if (response.status === 403) return { outcome: 'role' };
    assert.equal(response.status, 200, `console answered ${response.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as {
      notice?: { type: string };
      error?: { code: string };
      record?: {
        id?: string;
        params?: Record<string, unknown>;
        errors?: Record<string, unknown>;
        baseError?: { type?: string };
      };
    };
    if (body.record?.baseError?.type) return { outcome: body.record.baseError.type, fieldErrors: body.record.errors };
    if (body.error?.code) return { outcome: body.error.code };
    assert.notEqual(body.notice?.type, 'error', `console error without a code: ${text.slice(0, 300)}`);
    return { outcome: 'ok', id: body.record?.params?.id === undefined ? undefined : Number(body.record.params.id) };
  };
  const apiOutcome = async (response: Response): Promise<{ outcome: string; id?: number }> => {
    const text = await response.text();
    assert.notEqual(response.status, 500, text);
    if (response.status < 300) return { outcome: 'ok', id: (JSON.parse(text) as { id?: number }).id };
    const { code } = JSON.parse(text) as { code: string };
    return { outcome: response.status === 403 && /^auth\.(role_forbidden|missing_scope)$/.test(code) ? 'role' : code };
  };

  const stored = async (id: number | undefined): Promise<Stored | null> => {
    if (id === undefined) return null;
    const row = await DataRecord.findByPk(id);
    if (!row) return null;
    return Object.fromEntries(FIELDS.map((f) => [f, f === 'datasetId' ? Number(row.get(f)) : row.get(f)])) as Stored;
  };
  // Counted refusals of earlier attempts are written first, so that an attempt's events are its own.
  const lastSeq = async () => {
    await flushRefusalCounts({ includeCurrentMinute: true });
    return Number((await AuditEvent.max('seq')) ?? 0);
  };
  // Past 10 refusals of a kind in a minute the rest are only counted (src/audit/record-refusal.ts):
  // writing the counts now turns this attempt's refusal into a summary event if it was one of those.
  const eventsSince = async (seq: number) => {
    await flushRefusalCounts({ includeCurrentMinute: true });
    // Past 50 refusals of one actor in a minute, of any kind, they are counted under `audit.refusals`.
    return AuditEvent.findAll({
      where: { seq: { [Op.gt]: seq }, [Op.or]: [{ resource: 'records' }, { action: 'audit.refusals' }] },
      order: [['seq', 'ASC']],
    });
  };

  /** What one attempt left: its outcome, the row it wrote (or the edited row), and the audit events. */
  async function attempt(
    run: () => Promise<{ outcome: string; id?: number; fieldErrors?: Record<string, unknown> }>,
    rowId?: number,
  ) {
    const seq = await lastSeq();
    const result = await run();
    const events = await eventsSince(seq);
    return { ...result, row: await stored(rowId ?? result.id), events };
  }

  function checkAudit(where: string, action: string, result: Awaited<ReturnType<typeof attempt>>) {
    const ofAction = result.events.filter((e) => e.action === action);
    if (result.outcome === 'ok') {
      const successes = ofAction.filter((e) => e.outcome === 'success');
      assert.equal(
        successes.length,
        1,
        `${where}: one success event (got ${JSON.stringify(result.events.map((e) => [e.action, e.outcome]))})`,
      );
      assert.equal(
        result.events.filter((e) => e.outcome !== 'success').length,
        0,
        `${where}: no refusal event for a success`,
      );
      assert.ok(
        successes[0]!.after !== null && successes[0]!.after !== undefined,
        `${where}: the event has the values after`,
      );
      assert.ok(
        (successes[0]!.changeSet?.records ?? 0) > 0,
        `${where}: the event has its change-set (every changed record, before and after)`,
      );
      // A bulk edit's values before are in its change-set only; a single write keeps them inline too.
      if (action !== 'records.create' && action !== 'records.bulk_update')
        assert.ok(
          successes[0]!.before !== null && successes[0]!.before !== undefined,
          `${where}: the event has the values before`,
        );
    } else {
      assert.ok(result.events.length >= 1, `${where}: a refusal (${result.outcome}) leaves an audit event`);
      assert.equal(result.events.filter((e) => e.outcome === 'success').length, 0, `${where}: nothing succeeded`);
      const forbidden = result.outcome === 'role' || /forbidden/.test(result.outcome);
      assert.ok(
        result.events.every((e) => e.outcome === (forbidden ? 'denied' : 'failed')),
        `${where}: ${forbidden ? 'denied' : 'failed'} events (got ${result.events.map((e) => e.outcome).join(', ')})`,
      );
    }
  }

  const same = (where: string, a: Awaited<ReturnType<typeof attempt>>, b: Awaited<ReturnType<typeof attempt>>) => {
    assert.equal(a.outcome, b.outcome, `${where}: console ${a.outcome}, API ${b.outcome}`);
    assert.deepEqual(a.row, b.row, `${where}: the same stored row`);
  };
  /** Expectations written out for a few cells (auditors may not write; admins may what content managers may). */
  const anchor = (where: string, role: Role, c: Case, outcome: string, op: 'create' | 'edit') => {
    const expected =
      role === 'auditor' || (op === 'create' && role === 'data_scientist')
        ? 'role'
        : (c.expect?.[role] ?? (role === 'admin' ? c.expect?.content_manager : undefined));
    if (expected) assert.equal(outcome, expected, `${where}: expected ${expected}`);
  };

  for (const role of Role.options) {
    describe(`as ${role}`, () => {
      it('creates: console form = API (key and session)', async () => {
        for (const c of CASES.filter((x) => x.create)) {
          const fields = resolve(c.create!(base()));
          const form = flatten(fields);
          const where = `${role} create ${c.name}`;
          const viaConsole = await attempt(async () =>
            consoleOutcome(await consolePost(people.get(role)!.http, '/resources/records/actions/new', toForm(form))),
          );
          const viaKey = await attempt(async () =>
            apiOutcome(await apiCall('key', role, 'POST', '/api/v1/records', fields)),
          );
          const viaSession = await attempt(async () =>
            apiOutcome(await apiCall('session', role, 'POST', '/api/v1/records', fields)),
          );
          same(`${where} (key)`, viaConsole, people.get(role)!.keyCanWrite ? viaKey : viaSession);
          same(`${where} (session)`, viaConsole, viaSession);
          if (!people.get(role)!.keyCanWrite)
            assert.equal(viaKey.outcome, 'role', `${where}: a key without records:write`);
          anchor(
            where,
            role,
            {
              ...c,
              expect: c.name.startsWith('features (missing')
                ? { content_manager: 'record.features_required' }
                : c.expect,
            },
            viaConsole.outcome,
            'create',
          );
          for (const [via, result] of [
            ['console', viaConsole],
            ['key', viaKey],
            ['session', viaSession],
          ] as const)
            checkAudit(`${where} via ${via}`, 'records.create', result);
        }
      });

      it('edits: console form (every field posted back, one changed) = API PATCH (key and session)', async () => {
        for (const c of CASES.filter((x) => x.edit)) {
          const change = resolve(c.edit!);
          const where = `${role} edit ${c.name}`;
          const ids = [await freshRecord(), await freshRecord(), await freshRecord()];
          // The form's params as the edit page holds them (read with an admin's session: an auditor's is refused).
          const page = (await (await admin.api(`/resources/records/records/${ids[0]}/edit`)).json()) as {
            record: { params: Record<string, unknown> };
          };
          const params = Object.fromEntries(
            Object.entries(page.record.params).filter(
              ([key]) => !Object.keys(change).some((field) => key === field || key.startsWith(`${field}.`)),
            ),
          );
          const form = toForm({ ...params, ...flatten(change) });
          const viaConsole = await attempt(
            async () =>
              consoleOutcome(
                await consolePost(people.get(role)!.http, `/resources/records/records/${ids[0]}/edit`, form),
              ),
            ids[0],
          );
          const viaKey = await attempt(
            async () => apiOutcome(await apiCall('key', role, 'PATCH', `/api/v1/records/${ids[1]}`, change)),
            ids[1],
          );
          const viaSession = await attempt(
            async () => apiOutcome(await apiCall('session', role, 'PATCH', `/api/v1/records/${ids[2]}`, change)),
            ids[2],
          );
          const strip = (r: typeof viaConsole) => ({ ...r, id: undefined });
          same(`${where} (key)`, strip(viaConsole), strip(people.get(role)!.keyCanWrite ? viaKey : viaSession));
          same(`${where} (session)`, strip(viaConsole), strip(viaSession));
          anchor(where, role, c, viaConsole.outcome, 'edit');
          if (viaConsole.outcome !== 'ok' && viaConsole.outcome !== 'role') {
            assert.ok(
              viaConsole.fieldErrors && Object.keys(viaConsole.fieldErrors).length > 0,
              `${where}: the form shows the error beside a field`,
            );
          }
          for (const [via, result] of [
            ['console', viaConsole],
            ['key', viaKey],
            ['session', viaSession],
          ] as const)
            checkAudit(`${where} via ${via}`, 'records.update', result);
        }
      });

      it('bulk edits: console bulk action = API PATCH /records (key and session)', async () => {
        for (const c of CASES.filter((x) => x.bulk)) {
          const where = `${role} bulk ${c.name}`;
          const ids = [await freshRecord(), await freshRecord(), await freshRecord()];
          const form = new FormData();
          form.set('mode', 'apply');
          for (const [key, value] of Object.entries(c.bulk!)) form.set(key, String(value));
          const viaConsole = await attempt(
            async () =>
              consoleOutcome(
                await consolePost(people.get(role)!.http, `/resources/records/bulk/bulkEdit?recordIds=${ids[0]}`, form),
              ),
            ids[0],
          );
          const body = { selection: { ids: [ids[1]] }, changes: c.bulk };
          const viaKey = await attempt(
            async () => apiOutcome(await apiCall('key', role, 'PATCH', '/api/v1/records', body)),
            ids[1],
          );
          const viaSession = await attempt(
            async () =>
              apiOutcome(
                await apiCall('session', role, 'PATCH', '/api/v1/records', { ...body, selection: { ids: [ids[2]] } }),
              ),
            ids[2],
          );
          same(`${where} (key)`, viaConsole, people.get(role)!.keyCanWrite ? viaKey : viaSession);
          same(`${where} (session)`, viaConsole, viaSession);
          const expected =
            c.name === 'label (not in the label set)'
              ? 'bulk.invalid_records'
              : c.name === 'split (invalid)' && role !== 'data_scientist'
                ? 'bulk.changes'
                : c.expect?.[role]?.replace('records.field_forbidden', 'bulk.fields_forbidden');
          if (expected && role !== 'auditor')
            assert.equal(viaConsole.outcome, expected, `${where}: expected ${expected}`);
          for (const [via, result] of [
            ['console', viaConsole],
            ['key', viaKey],
            ['session', viaSession],
          ] as const)
            checkAudit(`${where} via ${via}`, 'records.bulk_update', result);
        }
      });
    });
  }

  it('stores a number typed into the form as a number, and names the field of a wrong one beside it', async () => {
    const manager = people.get('content_manager')!.http;
    const created = await consoleOutcome(
      await consolePost(
        manager,
        '/resources/records/actions/new',
        toForm({ datasetId: tabular.id, 'features.body_mass_g': '3750', 'features.island': 'Dream', label: 'Adelie' }),
      ),
    );
    assert.equal(created.outcome, 'ok');
    assert.deepEqual((await DataRecord.findByPk(created.id))!.features, { body_mass_g: 3750, island: 'Dream' });
    const refused = await consoleOutcome(
      await consolePost(
        manager,
        `/resources/records/records/${created.id}/edit`,
        toForm({ 'features.body_mass_g': 'abc', 'features.island': 'Dream' }),
      ),
    );
    assert.equal(refused.outcome, 'record.features_invalid');
    assert.match(
      String((refused.fieldErrors?.['features.body_mass_g'] as { message: string }).message),
      /finite number/,
    );
  });

  it('answers a body that is not an object with record.invalid (400), audited, for every role that may edit', async () => {
    for (const role of ['admin', 'data_scientist', 'content_manager'] as const) {
      const id = await freshRecord();
      const seq = await lastSeq();
      const response = await apiCall('key', role, 'PATCH', `/api/v1/records/${id}`, ['label', 'Gentoo']);
      assert.equal(response.status, 400, `${role}: ${await response.clone().text()}`);
      assert.equal(((await response.json()) as { code: string }).code, 'record.invalid');
      assert.deepEqual(
        (await eventsSince(seq)).map((e) => [e.action, e.outcome]),
        [['records.update', 'failed']],
      );
    }
  });
});
