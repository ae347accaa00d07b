import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Op } from 'sequelize';
import { AuditEvent, DataRecord } from '../../models/index.js';
import type { Role } from '../../models/enums.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';
import { createScoredEmails, type ScoredEmails } from '../support/scored-emails.js';

/** Height of the tallest row of the list on the page, in CSS pixels. */
const tallestRow = (page: Page) =>
  page.evaluate(() =>
    Math.max(0, ...Array.from(document.querySelectorAll('tbody tr[data-id]'), (r) => r.getBoundingClientRect().height)),
  );

const rowIds = async (page: Page) =>
  (await page.locator('tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).map(
    Number,
  );

describe('the records list of a dataset of long emails, as each role uses it (Chromium, 1440×900)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let emails: ScoredEmails;

  before(async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    browser = await launchChromium();
    emails = await createScoredEmails('list-e2e');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A signed-in page of `role`, collecting the console's own failed calls and page errors. */
  async function open(role: Role) {
    const user = await createTestUser(role);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const failures: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (error) => failures.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    return { user, page, failures };
  }

  const listUrl = (query = '') =>
    `${server.baseUrl}/admin/resources/records?filters.datasetId=${emails.datasetId}${query}`;

  for (const role of ['admin', 'data_scientist', 'content_manager', 'auditor'] as const) {
    it(`shows each email in at most two lines and the filter drawer without a refused call (${role})`, async () => {
      const { user, page, failures } = await open(role);
      await page.goto(listUrl());
      await page.waitForSelector('tbody tr[data-id] [data-testid="record-input"]');
      if (process.env.LOOK_DIR) await page.screenshot({ path: `${process.env.LOOK_DIR}/records-${role}.png` });
      assert.ok((await tallestRow(page)) <= 75, `rows stay within a few lines (tallest ${await tallestRow(page)} px)`);
      // A label never wraps: its cell is one line high.
      const labelHeight = await page
        .locator('tbody tr[data-id] td[data-property-name="label"] span')
        .first()
        .evaluate((e) => e.getBoundingClientRect().height);
      assert.ok(labelHeight < 30, `the label is one line (${labelHeight} px)`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 1440, `no horizontal scroll (${width} px)`);

      await page.click('[data-css="records-filter-button"], a:has-text("Filter"), button:has-text("Filter")');
      await page.waitForSelector('[data-testid="choice-filter-label"]');
      for (const testId of ['text-filter-tags', 'choice-filter-predictedLabel', 'choice-filter-scoredByVersionId'])
        assert.equal(await page.locator(`[data-testid="${testId}"]`).count(), 1, testId);
      assert.equal(await page.locator('#filter-score\\~\\~from').count(), 1, 'score range');
      // Label: the dataset's labels, as a dropdown.
      await page.click('#filter-label');
      await page.waitForSelector('[class*="option"]:has-text("spam")');
      const options = await page.locator('[class*="menu"] [class*="option"]').allInnerTexts();
      assert.deepEqual(options, ['ham', 'spam']);
      await page.keyboard.press('Escape');
      // Scored by: versions by name, not ids.
      await page.click('#filter-scoredByVersionId');
      await page.waitForSelector(`[class*="option"]:has-text("${emails.modelName} v1")`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(300);

      assert.deepEqual(failures, []);
      const denied = await AuditEvent.count({ where: { actorLabel: user.email, outcome: { [Op.ne]: 'success' } } });
      assert.equal(denied, 0, 'the console caused no denied or failed event');
      await page.close();
    });
  }

  it('shows a tabular record by its first features, on one line', async () => {
    const { datasetId } = await createPenguinModel('list-e2e');
    const { page, failures } = await open('data_scientist');
    await page.goto(`${server.baseUrl}/admin/resources/records?filters.datasetId=${datasetId}`);
    await page.waitForSelector('tbody tr[data-id] [data-testid="record-input"]');
    const input = await page.locator('tbody tr[data-id] [data-testid="record-input"]').first().innerText();
    assert.match(input, /^\w+ [\w.-]+ · \w+ [\w.-]+ · \w+ [\w.-]+ · \w+ [\w.-]+$/, input);
    assert.ok((await tallestRow(page)) <= 75, `rows stay within a few lines (tallest ${await tallestRow(page)} px)`);
    assert.deepEqual(failures, []);
    await page.close();
  });

  it("shows the longest email whole on its record's page, in a box that scrolls, with the fields after it in view", async () => {
    const records = await DataRecord.findAll({ where: { datasetId: emails.datasetId }, attributes: ['id', 'text'] });
    const longest = records.reduce((a, b) => ((b.text ?? '').length > (a.text ?? '').length ? b : a));
    const { page, failures } = await open('content_manager');
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${longest.id}/show`);
    const box = page.locator('[data-testid="long-text"]');
    await box.waitFor();
    const shown = await box.evaluate((e) => ({
      text: e.textContent ?? '',
      height: e.getBoundingClientRect().height,
      scrolls: e.scrollHeight > e.clientHeight,
    }));
    assert.equal(shown.text, longest.text, 'the whole text, as written');
    assert.ok(shown.height <= 400, `the box stays within 24rem (${shown.height} px)`);
    assert.ok(shown.scrolls, `a ${longest.text!.length}-character email scrolls inside its box`);
    assert.deepEqual(failures, []);
    await page.close();
  });

  it('filters by text, tag, misclassified and score range from the drawer, in a shareable URL', async () => {
    const { page, failures } = await open('content_manager');
    await page.goto(listUrl());
    await page.waitForSelector('tbody tr[data-id]');
    await page.click('[data-css="records-filter-button"], a:has-text("Filter"), button:has-text("Filter")');
    await page.waitForSelector('[data-testid="property-filter-misclassified"]');
    await page.click('[data-testid="property-filter-misclassified"] [class*="control"]');
    await page.click('[class*="menu"] [class*="option"]:has-text("Yes")');
    await page.fill('#filter-score\\~\\~to', '0.5');
    if (process.env.LOOK_DIR) await page.screenshot({ path: `${process.env.LOOK_DIR}/records-filters.png` });
    await page.click('[data-css="records-filter-drawer"] button[type="submit"], button:has-text("Apply changes")');
    await page.waitForURL(/filters\.misclassified=true/);
    assert.match(decodeURIComponent(page.url()), /filters\.score~~to=0\.5/);
    // The unfiltered page may have as many rows: wait for the filtered one (every row marked misclassified).
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('tbody tr[data-id]').length === n &&
        document.querySelectorAll('tbody [data-misclassified="true"]').length === n,
      Math.min(10, emails.misclassifiedIds.length),
    );
    const shown = await rowIds(page);
    assert.ok(
      shown.every((id) => emails.misclassifiedIds.includes(id)),
      'only misclassified records',
    );
    assert.equal(await page.locator('tbody [data-misclassified="true"]').count(), shown.length);

    // The same filters from a shared URL, with text and tag searches.
    const spamRecord = (await DataRecord.findOne({ where: { id: emails.misclassifiedIds[0]! } }))!;
    const word = spamRecord.source!.split('/').pop()!.slice(0, 5);
    await page.goto(listUrl(`&filters.tags=${spamRecord.tags[0]}&filters.text=${encodeURIComponent(word)}`));
    await page.waitForSelector('tbody tr[data-id]');
    for (const id of await rowIds(page)) {
      const record = (await DataRecord.findByPk(id))!;
      assert.ok(record.tags.includes(spamRecord.tags[0]!));
      assert.ok(record.text!.toLowerCase().includes(word.toLowerCase()));
    }
    assert.deepEqual(failures, []);
    await page.close();
  });

  it('keeps the rows-per-page choice for the person, across pages and visits', async () => {
    const { page, failures } = await open('data_scientist');
    await page.goto(listUrl());
    await page.waitForSelector('[data-testid="list-page-size"]');
    assert.equal((await rowIds(page)).length, 10);
    await page.selectOption('[data-testid="list-page-size"]', '25');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-id]').length === 25);
    // A new visit without perPage in the URL, then the next page through the pagination.
    await page.goto(listUrl());
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-id]').length === 25);
    assert.equal(await page.inputValue('[data-testid="list-page-size"]'), '25');
    const firstPage = await rowIds(page);
    await page.getByRole('button', { name: '2', exact: true }).click();
    await page.waitForURL(/page=2/);
    await page.waitForFunction(
      (first) => document.querySelector('tbody tr[data-id]')?.getAttribute('data-id') !== String(first),
      firstPage[0],
    );
    assert.equal((await rowIds(page)).length, 25);
    assert.deepEqual(failures, []);
    await page.close();
  });

  it('bulk-edits ticked records of a filtered list with a label dropdown and comes back to the same filter', async () => {
    const { page, failures } = await open('content_manager');
    const filter = '&filters.misclassified=true';
    await page.goto(listUrl(filter));
    await page.waitForSelector('tbody tr[data-id]');
    const [first, second] = await rowIds(page);
    for (const id of [first, second])
      await page.click(`tr[data-id="${id}"] td:first-child input[type=checkbox]`, { force: true });
    await page.click('[data-testid="action-bulkEdit"]');
    await page.waitForSelector('[data-testid="bulk-edit"] select#label option[value="spam"]', { state: 'attached' });
    assert.deepEqual(await page.locator('select#label option').allInnerTexts(), [
      'Leave labels as they are',
      'ham',
      'spam',
    ]);
    const target = (await DataRecord.findByPk(first))!.label === 'spam' ? 'ham' : 'spam';
    await page.selectOption('select#label', target);
    await page.click('[data-testid="bulk-preview-button"]');
    await page.waitForSelector('[data-testid="bulk-preview-summary"]');
    assert.match(
      (await page.textContent('[data-testid="bulk-preview-summary"]')) ?? '',
      /^(2 records will change\.|1 of 2 records will change; 1 already has these values\.)$/,
    );
    await page.click('[data-testid="bulk-apply"]');
    await page.waitForURL((url) => url.pathname.endsWith('/resources/records') && url.search.includes('misclassified'));
    assert.match(page.url(), new RegExp(`filters.datasetId=${emails.datasetId}`));
    assert.equal((await DataRecord.findByPk(first))!.label, target);
    assert.deepEqual(failures, []);
    await page.close();
  });

  it("shows the auditor's audit list on one line per event, with outcomes coloured by meaning", async () => {
    const { page, failures } = await open('auditor');
    await page.goto(`${server.baseUrl}/admin/resources/auditEvents`);
    await page.waitForSelector('tbody tr[data-id] td[data-property-name="outcome"] [data-tone]');
    assert.ok((await tallestRow(page)) <= 70, `one line per event (tallest ${await tallestRow(page)} px)`);
    const tones = await page
      .locator('td[data-property-name="outcome"] [data-tone]')
      .evaluateAll((badges) => badges.map((b) => [b.textContent, b.getAttribute('data-tone')]));
    for (const [text, tone] of tones)
      assert.equal(tone, text === 'Success' ? 'success' : 'danger', `${text} is ${tone}`);
    assert.deepEqual(failures, []);
    await page.close();
  });
});
