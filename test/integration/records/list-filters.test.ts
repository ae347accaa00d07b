import assert from 'node:assert/strict';
import { Filter } from 'adminjs';
import { Op } from 'sequelize';
import type { ConsoleResource } from '../../../admin/adapter/console-resource.js';
import { AuditEvent, DataRecord, User } from '../../../models/index.js';
import { recordResource } from '../../../resources/record.resource.js';
import { recordFilterChoices } from '../../../src/records/record-filter-choices.js';
import { RecordFilter, selectionWhere } from '../../../src/records/record-selection.js';
import { listPageSizeOf, rememberListPageSize } from '../../../src/users/list-page-size.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { createScoredEmails, type ScoredEmails } from '../../support/scored-emails.js';

describe("the records list's filters, choices and page size (real Postgres, real HTTP)", () => {
  let server: RunningConsole;
  let emails: ScoredEmails;

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    emails = await createScoredEmails('list-filters', 40);
  });
  after(async () => server?.stop());

  const idsMatching = async (filter: Record<string, unknown>) =>
    (
      await DataRecord.findAll({
        attributes: ['id'],
        where: { [Op.and]: [selectionWhere({ filter: RecordFilter.parse(filter) })] },
        order: [['id', 'ASC']],
      })
    ).map((r) => r.id);

  it('selects misclassified records, a score range and a version, the way "Edit all matching" and the API do', async () => {
    const { datasetId, misclassifiedIds, recordIds, versionId } = emails;
    assert.deepEqual(await idsMatching({ datasetId, misclassified: 'true' }), misclassifiedIds);
    assert.deepEqual(
      await idsMatching({ datasetId, misclassified: 'false' }),
      recordIds.filter((id) => !misclassifiedIds.includes(id)),
    );
    assert.deepEqual(await idsMatching({ datasetId, scoreFrom: '0.4', scoreTo: '0.5' }), misclassifiedIds);
    assert.deepEqual(
      await idsMatching({ datasetId, scoreFrom: 0.9 }),
      await idsMatching({ datasetId, misclassified: false }),
    );
    assert.deepEqual(
      await idsMatching({ datasetId, scoredByVersionId: versionId, misclassified: true }),
      misclassifiedIds,
    );
    assert.deepEqual(await idsMatching({ datasetId, misclassified: true, scoreFrom: 0.9 }), []);
    assert.throws(() => RecordFilter.parse({ scoreFrom: '1.5' }), /1/);
    assert.throws(() => RecordFilter.parse({ misclassified: 'maybe' }), /true or false/);
  });

  it('lists misclassified and unsure records through the console adapter in both directions', async () => {
    const resource = recordResource().resource as ConsoleResource;
    for (const direction of ['desc', 'asc'] as const) {
      const page = async (filters: Record<string, unknown>) => {
        const filter = new Filter({ datasetId: String(emails.datasetId), ...filters }, resource);
        const rows = await resource.find(filter, { limit: 100, offset: 0, sort: { sortBy: 'id', direction } });
        return { ids: rows.map((r) => Number(r.id())).sort((a, b) => a - b), total: await resource.count(filter) };
      };
      assert.deepEqual(await page({ misclassified: 'true' }), {
        ids: emails.misclassifiedIds,
        total: emails.misclassifiedIds.length,
      });
      assert.deepEqual(
        (await page({ misclassified: 'false' })).total,
        emails.recordIds.length - emails.misclassifiedIds.length,
      );
    }
  });

  it("offers the dataset's labels and its models' versions by name", async () => {
    const choices = await recordFilterChoices({ datasetId: emails.datasetId });
    assert.deepEqual(choices, {
      labels: ['ham', 'spam'],
      versions: [{ id: emails.versionId, name: `${emails.modelName} v1` }],
    });
    const all = await recordFilterChoices({});
    assert.ok(all.versions.some((v) => v.id === emails.versionId));
  });

  it('answers the choices to a content manager without any refused call, and refuses an unknown page size', async () => {
    const manager = await createTestUser('content_manager');
    const http = new HttpSession(server.baseUrl);
    await http.login(manager.email, TEST_PASSWORD);
    const choices = await http.api(`/resources/records/actions/filterChoices?datasetId=${emails.datasetId}`);
    assert.equal(choices.status, 200);
    assert.deepEqual(((await choices.json()) as { choices: { labels: string[] } }).choices.labels, ['ham', 'spam']);

    const list = async (query = '') => {
      const response = await http.api(`/resources/records/actions/list?filters.datasetId=${emails.datasetId}${query}`);
      assert.equal(response.status, 200);
      return (await response.json()) as { records: unknown[]; meta: { perPage: number } };
    };
    assert.equal((await list()).meta.perPage, 10);
    const saved = await http.api('/resources/records/actions/rememberPageSize', 'POST', { perPage: '25' });
    assert.equal(saved.status, 200);
    assert.equal(await listPageSizeOf(manager.id), 25);
    // The pagination's links carry no perPage: the person's choice applies; an explicit one wins.
    assert.equal((await list()).meta.perPage, 25);
    assert.equal((await list('&page=2')).records.length, 15);
    assert.equal((await list('&perPage=10')).meta.perPage, 10);
    // The score as a range, the way the filter drawer sends it; with "misclassified" too.
    const ids = async (query: string) =>
      ((await list(`&perPage=100${query}`)).records as Array<{ id: string }>)
        .map((r) => Number(r.id))
        .sort((a, b) => a - b);
    assert.deepEqual(await ids('&filters.score~~from=0.4&filters.score~~to=0.6'), emails.misclassifiedIds);
    assert.deepEqual(await ids('&filters.score~~to=0.2'), []);
    assert.deepEqual(await ids('&filters.misclassified=true&filters.score~~from=0.9'), []);
    const badRange = await http.api('/resources/records/actions/list?filters.score~~from=high');
    assert.equal(badRange.status, 400);
    const refused = (await (
      await http.api('/resources/records/actions/rememberPageSize', 'POST', { perPage: '30' })
    ).json()) as { notice?: { type: string; message: string } };
    assert.equal(refused.notice?.type, 'error');
    assert.match(refused.notice?.message ?? '', /one of 10, 25, 50, 100/);
    assert.equal(await listPageSizeOf(manager.id), 25);
    assert.equal(
      await AuditEvent.count({ where: { actorLabel: manager.email, outcome: { [Op.ne]: 'success' } } }),
      0,
      'no denied or failed event',
    );
  });

  it('keeps page sizes to the offered choices in the database too', async () => {
    const user = await createTestUser('auditor');
    await rememberListPageSize({ type: 'user', id: user.id, email: user.email, role: 'auditor' }, '100');
    assert.equal(await listPageSizeOf(user.id), 100);
    await assert.rejects(User.update({ listPageSize: 30 }, { where: { id: user.id } }), /users_list_page_size_choice/);
  });
});
