import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, signIn } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';

/** The sign-in page is ModelDesk's own: its name, logo, title and favicon, and none of AdminJS's stock words. */
describe("the sign-in page is ModelDesk's own (Chromium)", () => {
  let server: RunningConsole;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows ModelDesk, its logo, title and favicon, and no AdminJS text', async () => {
    await page.goto(`${server.baseUrl}/admin/login`);
    await page.getByTestId('login-page').waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /Sign in to ModelDesk/);
    assert.match(text, /Data, models and audit in one console\./);
    assert.doesNotMatch(text, /AdminJS|Welcome|auto-generated admin panel/i);
    assert.equal(await page.title(), 'ModelDesk');
    // Every logo on the page has loaded (a broken image has no natural width).
    const logos = page.locator('img[src$="/admin/assets/modeldesk-icon.svg"]');
    assert.ok((await logos.count()) >= 1);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('img')).every((img) => img.complete && img.naturalWidth > 0),
    );
    const favicon = await page.locator('link[rel="icon"], link[rel="shortcut icon"]').first().getAttribute('href');
    assert.ok(favicon?.endsWith('/admin/assets/modeldesk-icon.svg'), `favicon ${favicon}`);
    const icon = await page.request.get(`${server.baseUrl}${favicon}`);
    assert.equal(icon.status(), 200);
    assert.equal(icon.headers()['content-type'], 'image/svg+xml');
    assert.equal((await page.request.get(`${server.baseUrl}/admin/assets/anything-else.svg`)).status(), 404);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 1);
  });

  it('says what to do after a wrong password, and signs in with the right one', async () => {
    const user = await createTestUser('auditor');
    await page.goto(`${server.baseUrl}/admin/login`);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', 'not the password');
    await page.click('form[action$="/login"] button');
    await page.getByText('Wrong email or password').waitFor();
    assert.match(await page.locator('body').innerText(), /Check both and try again/);
    await signIn(page, server.baseUrl, user.email, TEST_PASSWORD);
    // The sidebar shows the logo with the name, not AdminJS's.
    const sidebarLogo = page.locator('img[src$="/admin/assets/modeldesk-logo.svg"]');
    await sidebarLogo.first().waitFor();
    assert.equal(await sidebarLogo.first().getAttribute('alt'), 'ModelDesk');
  });
});
