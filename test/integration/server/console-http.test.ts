import assert from 'node:assert/strict';
import { AuditEvent, DataRecord, Dataset, RecordPrediction, User } from '../../../models/index.js';
import type { Actor } from '../../../src/access/actor.js';
import { decide } from '../../../src/access/decide.js';
import { RESOURCE_IDS } from '../../../src/access/rules.js';
import { Role } from '../../../src/access/roles.js';
import { unique } from '../../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { changeRecords } from '../../support/change-records.js';

describe('console over HTTP (real server, real Postgres)', () => {
  let server: RunningConsole;
  let recordId: number;

  before(async () => {
    server = await startConsoleServer();
    const dataset = await Dataset.create({
      name: unique('http'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    const record = await DataRecord.create({
      datasetId: dataset.id,
      text: 'hello world',
      features: null,
      label: 'ham',
      source: 'test',
    });
    recordId = record.id;
  });
  after(() => server.stop());

  const signedIn = async (role: Role) => {
    const user = await createTestUser(role);
    const http = new HttpSession(server.baseUrl);
    const response = await http.login(user.email, TEST_PASSWORD);
    assert.equal(response.status, 302, 'login redirects');
    return { http, user };
  };

  it('never sends password hashes, even inside referenced records, and refuses HEAD on the API', async () => {
    const { http } = await signedIn('auditor');
    const users = await (await http.api('/resources/users/actions/list')).text();
    assert.doesNotMatch(users, /argon2|passwordHash/);
    const head = await http.request(`/admin/api/resources/records/records/${recordId}/delete`, { method: 'HEAD' });
    assert.equal(head.status, 405);
    assert.ok(await DataRecord.findByPk(recordId), 'a HEAD request deleted nothing');
  });

  it('ends other sessions of a user whose password was changed', async () => {
    const { http, user } = await signedIn('auditor');
    await User.update({ passwordChangedAt: new Date(Date.now() + 5_000) }, { where: { id: user.id } });
    assert.equal((await http.api('/resources/records/actions/list')).status, 401);
  });

  it('compresses large console answers (a records page) and not small ones', async () => {
    const { http } = await signedIn('admin');
    for (let i = 0; i < 30; i += 1)
      await DataRecord.create({
        datasetId: (await DataRecord.findByPk(recordId))!.datasetId,
        text: `a record long enough to fill a page ${'x'.repeat(400)} ${i}`,
        features: null,
        label: 'ham',
        source: 'test',
      });
    const large = await http.request('/admin/api/resources/records/actions/list?perPage=100', {
      headers: { accept: 'application/json', 'accept-encoding': 'gzip' },
    });
    assert.equal(large.status, 200);
    assert.ok((await large.text()).length > 8 * 1024);
    assert.equal(large.headers.get('content-encoding'), 'gzip');
    const small = await http.request(`/admin/api/resources/records/records/${recordId}/show`, {
      headers: { accept: 'application/json', 'accept-encoding': 'gzip' },
    });
    assert.equal(small.headers.get('content-encoding'), null);
  });

  it('serves /healthz and /readyz', async () => {
    assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200);
    const ready = await fetch(`${server.baseUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', migrations: 'current' } });
  });

  it('sends anti-framing headers and a CSP whose scripts need a nonce', async () => {
    const response = await fetch(`${server.baseUrl}/admin/login`);
    const csp = response.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    assert.doesNotMatch(scriptSrc, /unsafe-inline/);
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    assert.ok(nonce);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const html = await response.text();
    const inline = (html.match(/<script[^>]*>/g) ?? []).filter((tag) => !/\ssrc=/.test(tag));
    assert.ok(inline.length > 0);
    for (const tag of inline) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
  });

  it('refuses a wrong password without saying which part was wrong and without a session', async () => {
    const user = await createTestUser('auditor');
    const http = new HttpSession(server.baseUrl);
    const response = await http.login(user.email, 'not the password at all');
    assert.notEqual(response.status, 302);
    assert.match(await response.text(), /Wrong email or password/);
    assert.equal(http.cookies.has('modeldesk.sid'), false);
  });

  it('issues an HttpOnly SameSite=Strict session cookie with a new id at every login (no fixation)', async () => {
    const user = await createTestUser('auditor');
    const http = new HttpSession(server.baseUrl);
    const first = await http.login(user.email, TEST_PASSWORD);
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith('modeldesk.sid='));
    assert.match(setCookie ?? '', /HttpOnly/i);
    assert.match(setCookie ?? '', /SameSite=Strict/i);
    const planted = http.cookies.get('modeldesk.sid');
    await http.login(user.email, TEST_PASSWORD);
    const rotated = http.cookies.get('modeldesk.sid');
    assert.ok(planted && rotated && planted !== rotated);
    const attacker = new HttpSession(server.baseUrl);
    attacker.cookies.set('modeldesk.sid', planted);
    const response = await attacker.request('/admin/api/resources/records/actions/list');
    assert.equal(response.status, 302, 'the pre-login session id no longer signs anyone in');
  });

  it('answers 403 and audits the denial when a role calls an action it may not', async () => {
    const { http, user } = await signedIn('auditor');
    const edit = await http.api(`/resources/records/records/${recordId}/edit`, 'POST', { label: 'spam' });
    assert.equal(edit.status, 403);
    assert.match(((await edit.json()) as { message: string }).message, /auditor/);
    const bulk = await http.api(`/resources/records/bulk/bulkDelete?recordIds=${recordId}`, 'POST');
    assert.equal(bulk.status, 403);
    const users = await (await signedIn('content_manager')).http.api('/resources/users/actions/list');
    assert.equal(users.status, 403);
    const denied = await AuditEvent.findOne({
      where: { action: 'records.edit', outcome: 'denied', actorId: String(user.id) },
    });
    assert.ok(denied, 'denied attempt is in the audit log');
    assert.equal((await DataRecord.findByPk(recordId))?.label, 'ham');
  });

  it('gives the same answer over HTTP as the rule table, for every role, resource and resource-level action', async () => {
    for (const role of Role.options) {
      const { http, user } = await signedIn(role);
      const actor: Actor = { type: 'user', id: user.id, email: user.email, role };
      for (const resource of RESOURCE_IDS) {
        for (const action of ['list', 'search', 'new']) {
          const response = await http.api(`/resources/${resource}/actions/${action}`);
          const allowed: boolean = decide(actor, resource, action) !== false;
          assert.equal(response.status === 403, !allowed, `${role} ${resource}.${action}: HTTP ${response.status}`);
        }
      }
    }
  });

  it('refuses state-changing console calls without the CSRF token or from another origin', async () => {
    const { http } = await signedIn('content_manager');
    assert.ok(http.cookies.get('XSRF-TOKEN'), 'the XSRF-TOKEN cookie is issued after login');
    const noToken = await http.request(`/admin/api/resources/records/records/${recordId}/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'spam' }),
    });
    assert.equal(noToken.status, 403);
    assert.equal(((await noToken.json()) as { error?: string }).error, 'csrf');
    const token = decodeURIComponent(http.cookies.get('XSRF-TOKEN')!);
    const crossSite = await http.request(`/admin/api/resources/records/records/${recordId}/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xsrf-token': token, origin: 'https://evil.example' },
      body: JSON.stringify({ label: 'spam' }),
    });
    assert.equal(crossSite.status, 403);
    assert.equal((await DataRecord.findByPk(recordId))?.label, 'ham');
  });

  it('commits a console edit together with its audit event (changed fields only)', async () => {
    const { http, user } = await signedIn('content_manager');
    const response = await http.api(`/resources/records/records/${recordId}/edit`, 'POST', { label: 'spam' });
    assert.equal(response.status, 200);
    assert.equal((await DataRecord.findByPk(recordId))?.label, 'spam');
    const event = await AuditEvent.findOne({
      where: { action: 'records.update', actorId: String(user.id) },
      order: [['seq', 'DESC']],
    });
    assert.deepEqual(event?.before, { label: 'ham' });
    assert.deepEqual(event?.after, { label: 'spam' });
    assert.deepEqual(event?.recordIds, [String(recordId)]);
    await changeRecords(() => DataRecord.update({ label: 'ham' }, { where: { id: recordId } }));
  });

  it("refuses a label outside the dataset's label set, saying so", async () => {
    const { http } = await signedIn('content_manager');
    const response = await http.api(`/resources/records/records/${recordId}/edit`, 'POST', { label: 'eggs' });
    const body = (await response.json()) as { record: { baseError?: { message: string } }; notice: { type: string } };
    assert.equal(body.notice.type, 'error');
    assert.match(body.record.baseError?.message ?? '', /not one of the dataset's labels/);
    assert.equal((await DataRecord.findByPk(recordId))?.label, 'ham');
  });

  it('ignores fields the edit form does not offer (e.g. a prediction set by hand)', async () => {
    const { http } = await signedIn('content_manager');
    const response = await http.api(`/resources/records/records/${recordId}/edit`, 'POST', {
      label: 'ham',
      predictedLabel: 'spam',
      deletedAt: '2020-01-01',
    });
    assert.equal(response.status, 200);
    const record = await DataRecord.findByPk(recordId);
    assert.equal(await RecordPrediction.findByPk(recordId), null);
    assert.equal(record?.deletedAt, null);
  });

  it('lets a data scientist relabel a record but not rewrite its text', async () => {
    const { http } = await signedIn('data_scientist');
    const rewrite = await http.api(`/resources/records/records/${recordId}/edit`, 'POST', { text: 'rewritten' });
    const body = (await rewrite.json()) as { record: { errors: Record<string, { message: string }> } };
    assert.ok(body.record, `status ${rewrite.status}: ${JSON.stringify(body)}`);
    assert.match(body.record.errors.text?.message ?? '', /may change only: label/);
    assert.equal((await DataRecord.findByPk(recordId))?.text, 'hello world');
    const relabel = await http.api(`/resources/records/records/${recordId}/edit`, 'POST', { label: 'spam' });
    assert.equal(relabel.status, 200);
    assert.equal((await DataRecord.findByPk(recordId))?.label, 'spam');
    await changeRecords(() => DataRecord.update({ label: 'ham' }, { where: { id: recordId } }));
  });

  it('turns a database constraint violation into a clear validation message', async () => {
    const { http } = await signedIn('admin');
    const response = await http.api(`/resources/datasets/actions/new`, 'POST', {
      name: 'Not A Valid Name!',
      task: 'text-classification',
    });
    const body = (await response.json()) as { record: { baseError?: { message: string } }; notice: { type: string } };
    assert.equal(body.notice.type, 'error');
    assert.match(body.record.baseError?.message ?? '', /Dataset names are lower case/);
  });

  it('ends the session at logout and when the user is deactivated', async () => {
    const { http } = await signedIn('auditor');
    assert.equal((await http.api('/resources/records/actions/list')).status, 200);
    const old = http.cookies.get('modeldesk.sid')!;
    await (await http.request('/admin/logout')).text();
    const replay = new HttpSession(server.baseUrl);
    replay.cookies.set('modeldesk.sid', old);
    assert.equal((await replay.api('/resources/records/actions/list')).status, 302);

    const second = await signedIn('auditor');
    await User.update({ active: false }, { where: { id: second.user.id } });
    const afterDeactivation = await second.http.api('/resources/records/actions/list');
    assert.equal(afterDeactivation.status, 401);
  });
});
