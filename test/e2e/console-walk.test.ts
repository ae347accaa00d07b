import assert from 'node:assert/strict';
import path from 'node:path';
import { Op } from 'sequelize';
import type { Browser, Page } from 'playwright-core';
import { AuditEvent, DataRecord, Dataset, type MlModel } from '../../models/index.js';
import { Filter } from 'adminjs';
import { createAdmin } from '../../admin/index.js';
import { decide } from '../../src/access/decide.js';
import type { Actor } from '../../src/access/actor.js';
import type { ResourceId } from '../../src/access/rules.js';
import { Role } from '../../src/access/roles.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { loadSpamAssassin } from '../../seeders/spam-assassin.js';
import { unique } from '../support/database.js';
import { launchChromium, signIn } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { issuedKey, queuedJob, trainedModel, userActor, type TestUser } from '../security/fixtures.js';
import { findLayoutProblems, type LayoutProblem } from '../support/layout-problems.js';

/**
 * A new user's day, every page kind as every role, at the narrowest width we support (1280 px): each
 * page must lay out (nothing overlapping, no row taller than a few lines, no sideways scrolling), and
 * the console must never call what the role may not use (no `denied` event, no 4xx/5xx answer to the
 * page's own requests, no script error).
 */
const VIEWPORT = { width: 1280, height: 800 };
/** Pages that only start a download or act at once: nothing to lay out. */
const NOT_PAGES = new Set(['delete', 'bulkDelete', 'search', 'history', 'restoreVersion']);

interface Visit {
  label: string;
  url: string;
}

describe('the whole console, page by page, as each role (Chromium, 1280 px)', function () {
  this.timeout(600_000);
  let server: RunningConsole;
  let browser: Browser;
  let owner: TestUser;
  let model: MlModel;
  const rowsOf = new Map<string, string>();

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    owner = await createTestUser('data_scientist');
    // Real emails: long bodies, long unbroken lines, headers.
    const emails = loadSpamAssassin()
      .sort((a, b) => b.text.length - a.text.length)
      .slice(0, 30);
    const name = unique('walk-mail');
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'text-classification',
        labels: ['ham', 'spam'],
        description: 'The longest SpamAssassin emails',
        source: 'spamassassin',
        license: null,
      },
      emails.map((e) => ({ ...e, features: null, tags: ['long', 'walk'] })),
    );
    const mail = (await Dataset.findOne({ where: { name } }))!;
    ({ model } = await trainedModel('walk', owner));
    rowsOf.set('datasets', String(mail.id));
    rowsOf.set('records', String((await DataRecord.findOne({ where: { datasetId: mail.id } }))!.id));
    rowsOf.set('models', String(model.id));
    rowsOf.set('jobs', String((await queuedJob(owner, model.name)).id));
    rowsOf.set('apiKeys', String((await issuedKey(owner)).apiKey.id));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * The four roles walk at once, each in a page of its own (the checks run in the page, so they do not
   * disturb each other): the walk waits for each page to settle, and four waits overlap.
   */
  const walks = new Map<Role, Promise<string[]>>();
  before(() => {
    for (const role of Role.options) {
      const walk = walkAs(role);
      walk.catch(() => undefined); // awaited by the role's test; this only keeps it from counting as unhandled
      walks.set(role, walk);
    }
  });

  for (const role of Role.options) {
    it(`${role}: every page lays out at 1280 px and calls nothing the role may not use`, async () => {
      const [visited, ...problems] = await walks.get(role)!;
      assert.deepEqual(problems, [], `${role} visited ${visited} pages:\n${problems.join('\n')}`);
    });
  }

  /** Signs in as a new user of `role` and opens every page it may: the number of pages, then the problems. */
  async function walkAs(role: Role): Promise<string[]> {
    const user = await createTestUser(role);
    const actor: Actor = userActor(user);
    // WALK_ONLY=<regular expression>: only the pages whose label matches (while fixing one page).
    const only = process.env.WALK_ONLY ? new RegExp(process.env.WALK_ONLY) : null;
    const visits = (await pagesOf(actor)).filter((visit) => !only || only.test(visit.label));
    const page = await browser.newPage({ viewport: VIEWPORT });
    const requests = requestTracker(page);
    const problems: string[] = [];
    let current = 'sign-in';
    page.on('pageerror', (error) => problems.push(`${current}: script error ${error.message}`));
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.host === new URL(server.baseUrl).host && response.status() >= 400)
        problems.push(`${current}: ${response.status()} from ${url.pathname}${url.search}`);
    });
    const startedAt = (await AuditEvent.max<number, AuditEvent>('seq')) ?? 0;
    try {
      await signIn(page, server.baseUrl, user.email, TEST_PASSWORD);
      for (const visit of visits) {
        current = visit.label;
        await page.goto(`${server.baseUrl}${visit.url}`);
        await requests.settle();
        const found: LayoutProblem[] = await page.evaluate(findLayoutProblems);
        problems.push(...found.map((p) => `${visit.label}: ${p.kind}: ${p.detail}`));
        // WALK_SHOTS=<folder>: a picture of every page, to look at what the checks cannot judge.
        if (process.env.WALK_SHOTS)
          await page.screenshot({
            path: path.join(process.env.WALK_SHOTS, `${role} ${visit.label.replace(/[^\w #-]/g, '_')}.png`),
            fullPage: true,
          });
      }
    } finally {
      await page.close();
    }
    const denied = await AuditEvent.findAll({
      where: { seq: { [Op.gt]: startedAt }, actorId: String(user.id), outcome: 'denied' },
      order: [['seq', 'ASC']],
    });
    problems.push(...denied.map((e) => `denied event: ${e.action} on ${e.resource} (${e.reason ?? ''})`));
    return [String(visits.length), ...problems];
  }

  /** The dashboard, then for every resource the role may list: its list, a row's page and every action page it may open. */
  async function pagesOf(actor: Actor): Promise<Visit[]> {
    const visits: Visit[] = [{ label: 'dashboard', url: '/admin' }];
    const admin = createAdmin();
    for (const resource of admin.resources) {
      const decorated = resource.decorate();
      const id = decorated.id() as ResourceId;
      if (decide(actor, id, 'list') === false) continue;
      const first = (await resource.find(new Filter({}, resource), { limit: 1 }))[0]?.id() as unknown;
      const rowId = rowsOf.get(id) ?? (first instanceof Date ? first.toISOString() : String(first ?? ''));
      // The records of the long emails, as a content manager opens them to label.
      if (id === 'records')
        visits.push({
          label: 'records list of long emails',
          url: `/admin/resources/records?filters.datasetId=${rowsOf.get('datasets')}`,
        });
      for (const action of Object.values(decorated.actions)) {
        if (NOT_PAGES.has(action.name)) continue;
        const allowed = (record?: Record<string, unknown>) => decide(actor, id, action.name, record) !== false;
        if (action.isResourceType() && allowed())
          visits.push({ label: `${id} ${action.name}`, url: `/admin/resources/${id}/actions/${action.name}` });
        if (!rowId) continue;
        const row = (await resource.findOne(rowId))?.params;
        if (action.isRecordType() && row && allowed(row))
          visits.push({
            label: `${id} #${rowId} ${action.name}`,
            url: `/admin/resources/${id}/records/${encodeURIComponent(rowId)}/${action.name}`,
          });
        if (action.isBulkType() && row && allowed(row))
          visits.push({
            label: `${id} bulk ${action.name}`,
            url: `/admin/resources/${id}/bulk/${action.name}?recordIds=${encodeURIComponent(rowId)}`,
          });
      }
    }
    return visits;
  }
});

/**
 * `settle()` waits until the page has had no request in flight for 300 ms (at most 15 s: a job page
 * polls its progress for as long as it is open, so "network idle" may never come), then lets React draw
 * and every transition end.
 */
function requestTracker(page: Page): { settle(): Promise<void> } {
  const inFlight = new Set<unknown>();
  page.on('request', (request) => inFlight.add(request));
  page.on('requestfinished', (request) => inFlight.delete(request));
  page.on('requestfailed', (request) => inFlight.delete(request));
  return {
    async settle() {
      await page.waitForLoadState('load');
      const deadline = Date.now() + 15_000;
      let quietSince = Date.now();
      while (Date.now() < deadline) {
        await page.waitForTimeout(50);
        if (inFlight.size > 0) quietSince = Date.now();
        else if (Date.now() - quietSince >= 300) break;
      }
      // A drawer slides in after its data came: let every finite animation end before measuring.
      await page.evaluate(async () => {
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const finite = document
          .getAnimations()
          .filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity);
        const ended = Promise.all(finite.map((animation) => animation.finished.catch(() => undefined)));
        await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      });
    },
  };
}
