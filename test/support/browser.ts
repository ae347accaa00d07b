import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with nothing reaching out to the network (this machine has none). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs in through the login form and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('form[action$="/login"] button');
  await page.waitForSelector('[data-testid="modeldesk-dashboard"]');
}

/**
 * Signs the page's browser context in without drawing a page: the login form's POST, sent by the
 * context's own HTTP client, so the session and CSRF cookies land in the context exactly as the server
 * set them (HttpOnly, SameSite). For tests whose subject is another page: each console page a fresh
 * context draws costs its renderer 1 to 3 CPU s (the console's 2 MB of scripts), and signIn draws
 * two (the form, the dashboard). The form itself is e2e/login-page's subject.
 */
export async function signInByPost(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  const response = await page.context().request.post(`${baseUrl}/admin/login`, { form: { email, password } });
  // A good sign-in redirects to the dashboard (followed, so its session is saved); a bad one shows the form again.
  const landed = new URL(response.url()).pathname;
  if (!response.ok() || landed !== '/admin')
    throw new Error(`Sign-in as ${email} failed: ${response.status()} at ${landed}`);
}
