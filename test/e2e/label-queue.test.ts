import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Op } from 'sequelize';
import { AuditEvent, DataRecord } from '../../models/index.js';
import { launchChromium, signIn, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { insertReviewQueue } from '../support/review-queue.js';
import { userActor } from '../security/fixtures.js';
import { agreementOf } from '../../src/review/agreement.js';
import { labelItem } from '../../src/review/label-item.js';
import { createScoredEmails, type ScoredEmails } from '../support/scored-emails.js';

/** The item on the page now (its position), or null once the queue is done. */
const currentPosition = async (page: Page): Promise<number | null> => {
  await page.waitForSelector(
    '[data-testid="label-queue"][data-busy="false"] :is([data-testid="label-item"], [data-testid="label-done"])',
  );
  const item = await page.$('[data-testid="label-item"]');
  return item ? Number(await item.getAttribute('data-position')) : null;
};

/** Waits until the page shows another item than `position` (or is done). */
const nextItem = async (page: Page, position: number): Promise<number | null> => {
  await page.waitForFunction((before) => {
    const root = document.querySelector('[data-testid="label-queue"]');
    if (!root || root.getAttribute('data-busy') !== 'false') return false;
    const item = root.querySelector('[data-testid="label-item"]');
    return item
      ? item.getAttribute('data-position') !== String(before)
      : !!root.querySelector('[data-testid="label-done"]');
  }, position);
  return currentPosition(page);
};

describe('a reviewer labels a review queue with the keyboard alone, and the audit log shows each label with the strategy (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let scored: ScoredEmails;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    scored = await createScoredEmails('label-e2e', 40);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('labels 20 records with 1–9 and Enter: each record gets its label, the progress counts up, 20 records.update events name the queue and strategy', async () => {
    const ids = scored.recordIds.slice(0, 20);
    const queue = await insertReviewQueue(scored, ids, { strategy: 'highest_entropy' });
    const reviewer = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, reviewer.email, TEST_PASSWORD);
    const startedAt = (await AuditEvent.max<number, AuditEvent>('seq')) ?? 0;
    await page.goto(`${server.baseUrl}/admin/resources/reviewQueues/records/${queue.id}/label`);
    await page.waitForSelector('[data-testid="label-probabilities"]');
    assert.deepEqual(
      await page.locator('[data-testid^="label-choice-"]').allInnerTexts(),
      ['1 · ham', '2 · spam'],
      "the dataset's labels, numbered",
    );

    const expected = new Map<number, string>();
    let position = await currentPosition(page);
    for (let n = 0; n < 20; n += 1) {
      assert.equal(position, n + 1, 'items come in queue order');
      assert.equal(await page.textContent('[data-testid="label-progress"]'), `${n + 1} of 20`);
      const key = n % 3 === 0 ? '2' : '1';
      await page.keyboard.press(key);
      await page.waitForSelector(`[data-testid="label-choice-${key}"][aria-pressed="true"]`);
      await page.keyboard.press('Enter');
      expected.set(ids[n]!, key === '2' ? 'spam' : 'ham');
      position = await nextItem(page, position);
    }
    assert.equal(position, null, 'the queue is done');
    assert.equal(await page.textContent('[data-testid="label-progress"]'), 'done');

    const records = await DataRecord.findAll({ where: { id: ids } });
    assert.deepEqual(
      new Map(records.map((r) => [r.id, r.label])),
      expected,
      'every record has the label picked for it',
    );
    const events = await AuditEvent.findAll({
      where: { seq: { [Op.gt]: startedAt }, action: 'records.update', outcome: 'success' },
      order: [['seq', 'ASC']],
    });
    assert.equal(events.length, 20);
    assert.deepEqual(
      events.map((e) => [e.actorId, (e.selection as { review: { strategy: string; queueId: number } }).review]),
      ids.map((id, n) => [
        String(reviewer.id),
        {
          queueId: queue.id,
          queue: queue.name,
          position: n + 1,
          strategy: 'highest_entropy',
          label: expected.get(id),
        },
      ]),
    );

    // The audit log as an auditor reads it in the console: the 20 labels, each with the strategy.
    const auditor = await createTestUser('auditor');
    const auditPage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await signIn(auditPage, server.baseUrl, auditor.email, TEST_PASSWORD);
    const shown = await auditPage.evaluate(async (from) => {
      const response = await fetch(
        `/admin/api/resources/auditEvents/actions/list?filters.action=records.update&perPage=100&sortBy=seq&direction=desc`,
        { headers: { accept: 'application/json' } },
      );
      const answer = (await response.json()) as { records?: Array<{ params: Record<string, unknown> }> };
      return (answer.records ?? []).map((r) => r.params).filter((p) => Number(p.seq) > from);
    }, startedAt);
    const strategies = shown
      .filter((p) => p['selection.review.queueId'] === queue.id)
      .map((p) => p['selection.review.strategy']);
    assert.deepEqual(strategies, Array(20).fill('highest_entropy'), JSON.stringify(shown.slice(0, 2)));
    await auditPage.goto(`${server.baseUrl}/admin/resources/auditEvents/records/${events[0]!.seq}/show`);
    await auditPage.waitForSelector('text=highest_entropy');
    assert.deepEqual(errors, []);
    await page.close();
    await auditPage.close();
  });

  it('skips with S and undoes the last label with U: the record gets its label back and comes back to the page', async () => {
    const ids = scored.recordIds.slice(20, 23);
    const queue = await insertReviewQueue(scored, ids);
    const reviewer = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, reviewer.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/reviewQueues/records/${queue.id}/label`);
    let position = await currentPosition(page);
    assert.equal(position, 1);
    await page.keyboard.press('s');
    position = await nextItem(page, 1);
    assert.equal(position, 2);
    const original = (await DataRecord.findByPk(ids[1]))!.label;
    const key = original === 'spam' ? '1' : '2';
    await page.keyboard.press(key);
    await page.keyboard.press('Enter');
    position = await nextItem(page, 2);
    assert.equal(position, 3);
    assert.notEqual((await DataRecord.findByPk(ids[1]))!.label, original);
    await page.keyboard.press('u');
    position = await nextItem(page, 3);
    assert.equal(position, 2, 'the undone record is back on the page');
    assert.equal((await DataRecord.findByPk(ids[1]))!.label, original);
    assert.equal(await page.textContent('[data-testid="record-label"]'), original ?? 'none');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('second review by keyboard: A accepts, a comment then Enter rejects; agreement per label follows', async () => {
    const ids = scored.recordIds.slice(24, 27);
    const queue = await insertReviewQueue(scored, ids, { secondReview: true });
    const labeller = await createTestUser('data_scientist');
    for (const position of [1, 2, 3])
      await labelItem(userActor(labeller), queue.id, position, { label: position === 2 ? 'ham' : 'spam' });
    const reviewer = await createTestUser('data_scientist');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, reviewer.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/reviewQueues/records/${queue.id}/secondReview`);
    let position = await currentPosition(page);
    assert.equal(position, 1);
    assert.equal(await page.textContent('[data-testid="review-label"]'), 'spam');
    await page.keyboard.press('a');
    position = await nextItem(page, 1);
    assert.equal(position, 2);
    await page.keyboard.press('r');
    await page.waitForSelector('[data-testid="label-error"]');
    assert.match((await page.textContent('[data-testid="label-error"]')) ?? '', /Say why you reject/);
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'review-comment');
    await page.keyboard.type('the body is a phishing form');
    await page.keyboard.press('Enter');
    position = await nextItem(page, 2);
    assert.equal(position, 3);
    await page.keyboard.press('Enter');
    assert.equal(await nextItem(page, 3), null);
    assert.deepEqual(
      (await agreementOf(userActor(reviewer), queue.id)).map((a) => [a.label, a.reviewed, a.accepted, a.agreement]),
      [
        ['ham', 1, 0, 0],
        ['spam', 2, 2, 1],
      ],
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
});
