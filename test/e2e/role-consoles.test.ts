import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataRecord, Dataset } from '../../models/index.js';
import type { Actor } from '../../src/access/actor.js';
import { decide } from '../../src/access/decide.js';
import type { ResourceId } from '../../src/access/rules.js';
import { Role, ROLE_TITLES } from '../../src/access/roles.js';
import { unique } from '../support/database.js';
import { launchChromium, signIn } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { changeRecords } from '../support/change-records.js';

const GROUPS: Record<string, ResourceId[]> = {
  Data: ['datasets', 'records'],
  Models: ['models', 'modelVersions', 'modelAliases'],
  Operations: ['jobs', 'inferenceStats'],
  Audit: ['auditEvents'],
  Access: ['users', 'apiKeys'],
};

describe('each role in a real browser (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let recordId: number;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const dataset = await Dataset.create({
      name: unique('e2e'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    recordId = (
      await DataRecord.create({
        datasetId: dataset.id,
        text: 'a record for the browser',
        features: null,
        label: 'ham',
        source: 'e2e',
      })
    ).id;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const role of Role.options) {
    describe(role, () => {
      let context: BrowserContext;
      let page: Page;
      let actor: Actor;
      const pageErrors: string[] = [];

      before(async () => {
        const user = await createTestUser(role);
        actor = { type: 'user', id: user.id, email: user.email, role };
        context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await signIn(page, server.baseUrl, user.email, TEST_PASSWORD);
      });
      after(() => context?.close());

      it('lands on a dashboard that names the role and shows only tiles it may open', async () => {
        assert.ok((await page.textContent('[data-testid="dashboard-role"]'))?.includes(`(${ROLE_TITLES[role]})`));
        await page.waitForSelector('[data-testid^="tile-"]');
        const tiles = await page.$$eval('[data-testid^="tile-"]', (els) =>
          els.map((e) => e.getAttribute('data-testid')!.slice(5)),
        );
        for (const tile of tiles) assert.equal(decide(actor, tile, 'list'), true, `${role} sees tile ${tile}`);
        assert.ok(tiles.includes('records'));
      });

      it('shows exactly the navigation groups the rule table allows', async () => {
        const sidebar = (await page.innerText('[data-css="sidebar-resources"]')).split('\n').map((line) => line.trim());
        const shown = Object.keys(GROUPS).filter((group) => sidebar.includes(group));
        const expected = Object.entries(GROUPS)
          .filter(([, resources]) => resources.some((r) => decide(actor, r, 'list') !== false))
          .map(([group]) => group);
        assert.deepEqual(shown, expected, `${role} sidebar: ${sidebar.join(', ')}`);
      });

      it('offers "Create new" on records only to roles that may create them', async () => {
        await page.goto(`${server.baseUrl}/admin/resources/records`);
        await page.waitForSelector('tbody tr[data-id]');
        const createButton = await page.$('[data-testid="action-new"]');
        assert.equal(Boolean(createButton), decide(actor, 'records', 'new') === true);
      });

      it('gets 403 from the server for a forbidden action called directly, and the record stays', async () => {
        const status = await page.evaluate(
          async ({ id }) => {
            const token = decodeURIComponent(
              document.cookie
                .split('; ')
                .find((c) => c.startsWith('XSRF-TOKEN='))
                ?.slice(11) ?? '',
            );
            const response = await fetch(`/admin/api/resources/users/actions/new`, {
              method: 'POST',
              headers: { 'x-xsrf-token': token, 'content-type': 'application/json' },
              body: JSON.stringify({
                email: `intruder-${id}@example.com`,
                role: 'admin',
                newPassword: 'violet trombone cabinet',
              }),
            });
            const del = await fetch(`/admin/api/resources/records/records/${id}/delete`, {
              method: 'POST',
              headers: { 'x-xsrf-token': token },
            });
            return [response.status, del.status];
          },
          { id: recordId },
        );
        assert.equal(status[0] === 403, decide(actor, 'users', 'new') === false, `users.new → ${status[0]}`);
        assert.equal(status[1] === 403, decide(actor, 'records', 'delete') === false, `records.delete → ${status[1]}`);
        if (status[1] === 403) assert.ok(await DataRecord.findByPk(recordId), 'record still there');
        else await changeRecords(() => DataRecord.restore({ where: { id: recordId } }));
      });

      it('sees a 403 page, not data, when opening a resource it may not list', async () => {
        const forbidden = (['auditEvents', 'users', 'models'] as ResourceId[]).find(
          (r) => decide(actor, r, 'list') === false,
        );
        if (!forbidden) {
          assert.equal(role === 'admin' || role === 'auditor', true);
          return;
        }
        const response = await page.goto(`${server.baseUrl}/admin/resources/${forbidden}`);
        assert.equal(response?.status(), 403);
        assert.match((await page.textContent('body')) ?? '', /may not list/);
      });

      it('ran without script errors (CSP nonce in place)', () => {
        assert.deepEqual(pageErrors, []);
      });
    });
  }
});
