import assert from 'node:assert/strict';
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { ApiKey } from '../../models/index.js';
import { hashKey } from '../../src/auth/api-keys/key-secret.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { freePort } from '../support/free-port.js';
import { createPenguinModel } from '../support/penguin-model.js';

/** A page on another origin (another port of 127.0.0.1), like a customer's web app. */
function startOtherOrigin(port: number): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = http.createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>other app</title><p>other app</p>'),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('a developer gets an API key in the console, reads /api/docs and calls predict from a browser on another origin', () => {
  let server: RunningConsole;
  let browser: Browser;
  let allowedSite: http.Server;
  let otherSite: http.Server;
  let allowedOrigin: string;
  let otherOrigin: string;
  let modelName: string;

  before(async function () {
    this.timeout(180_000);
    const [allowedPort, otherPort] = [await freePort(), await freePort()];
    allowedOrigin = `http://127.0.0.1:${allowedPort}`;
    otherOrigin = `http://127.0.0.1:${otherPort}`;
    allowedSite = await startOtherOrigin(allowedPort);
    otherSite = await startOtherOrigin(otherPort);
    server = await startConsoleServer({ CORS_ORIGINS: allowedOrigin });
    browser = await launchChromium();
    const model = await createPenguinModel('e2e-api');
    modelName = model.name;
    const version = (await trainModel({ type: 'system' }, { model: model.name, maxIterations: 10 })).version;
    await promoteAlias({ type: 'system' }, { versionId: version.id, alias: 'production' });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    allowedSite?.close();
    otherSite?.close();
  });

  it('issues a key once, which then predicts from the allowed origin and is refused to another', async () => {
    const admin = await createTestUser('admin');
    const scientist = await createTestUser('data_scientist');
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, admin.email, TEST_PASSWORD);

    await page.goto(`${server.baseUrl}/admin/resources/apiKeys/actions/issue`);
    await page.waitForSelector('[id="scope-jobs:write"]');
    assert.equal(await page.locator('input[id^="scope-"]').count(), 5, 'every scope offered, with what it opens');
    assert.match(
      (await page.textContent('[data-testid="issue-api-key-form"]')) ?? '',
      /records:write.*create, change and delete records/,
    );
    await page.fill('[data-testid="issue-api-key-form"] #ownerEmail', scientist.email);
    await page.fill('[data-testid="issue-api-key-form"] #name', 'browser app');
    await page.click('[data-testid="issue-api-key-submit"]');
    await page.waitForSelector('[data-testid="api-key-issued"]');
    const key = await page.inputValue('[data-testid="api-key-value"]');
    assert.match(key, /^mdk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const stored = await ApiKey.scope('withSecret').findOne({ where: { prefix: key.slice(0, 12) } });
    assert.equal(stored?.secretHash, hashKey(key), 'only the hash is stored');
    assert.deepEqual(stored?.scopes, ['predict']);
    assert.equal(await page.textContent('[data-testid="api-key-copy"]'), 'Copy');
    await page.click('[data-testid="api-key-copy"]');
    await page.waitForSelector('[data-testid="api-key-copy"]:has-text("Copied")');
    assert.equal(await page.textContent('[data-testid="api-key-copy-status"]'), 'Copied to the clipboard.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key, 'the whole key is on the clipboard');

    // Shown once: the key's page shows the prefix, never the secret.
    await page.goto(`${server.baseUrl}/admin/resources/apiKeys/records/${stored.id}/show`);
    await page.waitForSelector('[data-testid="property-show-prefix"]');
    assert.ok(!(await page.content()).includes(key.slice(13)), "the secret is not on the key's page");

    const instance = {
      beak_length_mm: 46.1,
      beak_depth_mm: 13.2,
      flipper_length_mm: 211,
      body_mass_g: 4500,
      island: 'Biscoe',
      sex: 'FEMALE',
    };
    const callFrom = async (origin: string) => {
      const other = await browser.newPage();
      await other.goto(`${origin}/`);
      const result = await other.evaluate(
        async ({ url, key, instance }) => {
          try {
            const response = await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ instances: [instance] }),
            });
            return {
              status: response.status,
              body: (await response.json()) as unknown,
              remaining: response.headers.get('ratelimit-remaining'),
            };
          } catch (error) {
            return { blocked: String(error) };
          }
        },
        { url: `${server.baseUrl}/api/v1/models/${modelName}/predict`, key, instance },
      );
      await other.close();
      return result as {
        status?: number;
        body?: { predictions: Array<{ label: string }> };
        remaining?: string | null;
        blocked?: string;
      };
    };
    const allowed = await callFrom(allowedOrigin);
    assert.equal(allowed.status, 200, JSON.stringify(allowed));
    assert.equal(allowed.body!.predictions[0]!.label, 'Gentoo');
    assert.ok(Number(allowed.remaining) > 0, 'the exposed RateLimit headers are readable by the page');
    const refused = await callFrom(otherOrigin);
    assert.match(
      refused.blocked ?? '',
      /Failed to fetch/,
      'the browser keeps the answer from a page of an origin not in CORS_ORIGINS',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("/api/docs renders every route in Swagger UI under the site's CSP, and a signed-in user can try predict", async () => {
    const scientist = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await signInByPost(page, server.baseUrl, scientist.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/api/docs`);
    await page.waitForSelector('.swagger-ui .info .title');
    assert.match((await page.textContent('.swagger-ui .info .title')) ?? '', /ModelDesk API/);
    const paths = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((n) => n.getAttribute('data-path')));
    assert.ok(paths.includes('/api/v1/models/{name}/predict'), paths.join(', '));
    assert.ok(paths.length >= 15);

    // Try it out with the session: a same-origin call, CSRF header added by the explorer.
    const answer = await page.evaluate(async (url) => {
      const token = decodeURIComponent(/(?:^|; )XSRF-TOKEN=([^;]*)/.exec(document.cookie)?.[1] ?? '');
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xsrf-token': token },
        body: JSON.stringify({ instances: [[46.1, 13.2, 211, 4500, 0, 0]] }),
      });
      return { status: response.status, body: await response.text() };
    }, `${server.baseUrl}/api/v1/models/${modelName}/predict`);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused/.test(p)),
      [],
      'no CSP violation',
    );
    await page.close();
  });
});
