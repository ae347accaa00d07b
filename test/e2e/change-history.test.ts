import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Op } from 'sequelize';
import { AuditEvent, DataRecord, Dataset } from '../../models/index.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { BULK_EDIT_JOB_THRESHOLD } from '../../src/records/bulk-edit.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { updateRecord } from '../../src/records/save-record.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { unique } from '../support/database.js';
import { createPenguinModel } from '../support/penguin-model.js';

/** Labels of the records, by id, as the database holds them now. */
async function labelsOf(ids: readonly number[]): Promise<Record<number, string | null>> {
  const rows = await DataRecord.findAll({ where: { id: ids }, attributes: ['id', 'label'] });
  return Object.fromEntries(rows.map((r) => [r.id, r.label]));
}

async function openPage(browser: Browser, baseUrl: string, email: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await signInByPost(page, baseUrl, email, TEST_PASSWORD);
  return { page, errors };
}

describe('a content manager undoes a bulk edit from its audit event or its job page, and restores a record from its History (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let ids: number[];
  let manager: { id: number; email: string };
  let editor: { id: number; email: string };
  let eventSeq: number;

  before(async () => {
    server = await startConsoleServer();
    await startWorker();
    browser = await launchChromium();
    const { datasetId } = await createPenguinModel('history-e2e');
    ids = (await DataRecord.findAll({ where: { datasetId, label: 'Adelie' }, order: [['id', 'ASC']], limit: 3 })).map(
      (r) => r.id,
    );
    manager = await createTestUser('content_manager');
    editor = await createTestUser('content_manager');
  });
  after(async () => {
    await stopWorker();
    await browser?.close();
    await server?.stop();
  });

  it('bulk-edits, sees the change table on the event, and reverts with one conflict skipped', async () => {
    const { page, errors } = await openPage(browser, server.baseUrl, manager.email);
    await page.goto(`${server.baseUrl}/admin/resources/records/bulk/bulkEdit?recordIds=${ids.join(',')}`);
    await page.waitForSelector('[data-testid="bulk-edit"]');
    await page.waitForSelector('select#label option[value="Chinstrap"]', { state: 'attached' });
    await page.selectOption('select#label', 'Chinstrap');
    await page.click('[data-testid="bulk-preview-button"]');
    await page.waitForSelector('[data-testid="bulk-preview"]');
    await page.click('[data-testid="bulk-apply"]');
    await page.waitForURL(/\/admin\/resources\/records(\?|$)/);
    assert.deepEqual(Object.values(await labelsOf(ids)), ['Chinstrap', 'Chinstrap', 'Chinstrap']);

    // Someone else relabels one of them afterwards: reverting must not silently undo that.
    const conflicting = ids[1]!;
    await updateRecord({ type: 'user', id: editor.id, email: editor.email, role: 'content_manager' }, conflicting, {
      label: 'Gentoo',
    });

    const event = (await AuditEvent.findOne({
      where: { action: 'records.bulk_update', outcome: 'success', actorLabel: manager.email },
      order: [['seq', 'DESC']],
    }))!;
    eventSeq = event.seq;
    await page.goto(`${server.baseUrl}/admin/resources/auditEvents/records/${eventSeq}/show`);
    await page.waitForSelector('[data-testid="change-set-table"] tbody tr');
    assert.match((await page.textContent('[data-testid="change-set-summary"]')) ?? '', /3 records\s+changed in label/);
    for (const id of ids) {
      const row = page.locator(`[data-testid="change-set-table"] tr[data-record="${id}"][data-field="label"]`);
      assert.match((await row.innerText()).replace(/\s+/g, ' '), new RegExp(`${id} label Adelie Chinstrap`));
    }
    // The raw before/after JSON is not shown for an event with a change-set.
    assert.equal(await page.locator('[data-testid="change-set"] ~ * pre').count(), 0);

    await page.click('[data-testid="change-set-revert"]');
    await page.waitForSelector('[data-testid="revert-summary"]');
    assert.match(
      (await page.textContent('[data-testid="revert-summary"]')) ?? '',
      /changed 3 records in label\.\s*2 records would go back/,
    );
    const conflict = (await page.textContent(`[data-testid="revert-conflict-${conflicting}"]`)) ?? '';
    assert.ok(conflict.includes(editor.email), conflict);
    assert.ok(conflict.includes('label'), conflict);
    assert.equal(await page.isChecked('#conflicts-skip'), true);
    assert.match(
      (await page.textContent('[data-testid="revert-what-happens"]')) ?? '',
      /2 records get back label.*1 record changed since is skipped/s,
    );
    await page.click('[data-testid="revert-confirm"]');
    await page.waitForSelector('[data-testid="revert-done"]');
    assert.match(
      (await page.textContent('[data-testid="revert-done"]')) ?? '',
      /2 records reverted, 1 record changed since skipped/,
    );

    assert.deepEqual(await labelsOf(ids), { [ids[0]!]: 'Adelie', [conflicting]: 'Gentoo', [ids[2]!]: 'Adelie' });
    const revert = await AuditEvent.findOne({ where: { action: 'records.revert' }, order: [['seq', 'DESC']] });
    assert.equal(revert?.actorLabel, manager.email);
    assert.equal(revert?.outcome, 'success');

    // The records list shows them back.
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${ids[0]}/show`);
    await page.waitForSelector('[data-testid="record-history"] table');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("lists both changes in the conflicting record's History, newest first, and restores it to the bulk edit's version", async () => {
    const conflicting = ids[1]!;
    const { page, errors } = await openPage(browser, server.baseUrl, manager.email);
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${conflicting}/show`);
    await page.waitForSelector('[data-testid="record-history"] tbody tr');
    const rows = page.locator('[data-testid="record-history"] tbody tr[data-action]');
    const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    assert.deepEqual(actions.slice(0, 2), ['records.update', 'records.bulk_update']);
    assert.match(
      (await rows.nth(0).innerText()).replace(/\s+/g, ' '),
      new RegExp(`${editor.email}.*label: Chinstrap → Gentoo`),
    );
    assert.match(
      (await rows.nth(1).innerText()).replace(/\s+/g, ' '),
      new RegExp(`${manager.email}.*label: Adelie → Chinstrap`),
    );

    // Back to how the bulk edit left it: the preview shows exactly the difference, then it is applied.
    await rows.nth(1).locator('[data-testid^="history-restore-"]').click();
    await page.waitForSelector('[data-testid="restore-preview"] tr[data-field="label"]');
    assert.match(
      (await page.locator('[data-testid="restore-preview"] tr[data-field="label"]').innerText()).replace(/\s+/g, ' '),
      /label Gentoo Chinstrap/,
    );
    await page.click('[data-testid="restore-confirm"]');
    await page.waitForSelector('[data-testid="record-history"] tbody tr[data-action="records.restore_version"]');
    assert.equal((await labelsOf([conflicting]))[conflicting], 'Chinstrap');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows an auditor the change table but no Revert, and refuses the revert page and its POST', async () => {
    const auditor = await createTestUser('auditor');
    const { page, errors } = await openPage(browser, server.baseUrl, auditor.email);
    await page.goto(`${server.baseUrl}/admin/resources/auditEvents/records/${eventSeq}/show`);
    await page.waitForSelector('[data-testid="change-set-table"] tbody tr');
    assert.equal(await page.locator('[data-testid="change-set-table"] tbody tr[data-field="label"]').count(), 3);
    assert.equal(await page.locator('[data-testid="change-set-revert"]').count(), 0);
    assert.match(
      (await page.textContent('[data-testid="change-set-no-revert"]')) ?? '',
      /may read this change-set but not revert it/,
    );
    // No restore either, on a record's History.
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${ids[0]}/show`);
    await page.waitForSelector('[data-testid="record-history"] tbody tr');
    assert.equal(await page.locator('[data-testid^="history-restore-"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();

    const http = new HttpSession(server.baseUrl);
    await http.login(auditor.email, TEST_PASSWORD);
    const changeSetId = (await AuditEvent.findByPk(eventSeq))!.changeSet!.id;
    const preview = await http.api(`/resources/records/actions/revert?changeSetId=${changeSetId}`);
    assert.equal(preview.status, 403);
    const posted = await http.api('/resources/records/actions/revert', 'POST', { changeSetId, conflicts: 'overwrite' });
    assert.equal(posted.status, 403);
    assert.equal((await labelsOf([ids[0]!]))[ids[0]!], 'Adelie');
  });
  it("reverts a bulk edit that ran as a job from the job's page, and follows the revert's own job to the end", async () => {
    const size = BULK_EDIT_JOB_THRESHOLD + 100;
    const name = unique('history-big');
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'text-classification',
        labels: ['ham', 'spam'],
        featureSchema: [],
        description: null,
        source: null,
        license: null,
      },
      Array.from({ length: size }, (_, i) => ({
        text: `message ${i}`,
        label: 'ham',
        split: 'train' as const,
        tags: [],
        features: null,
        source: null,
      })),
    );
    const big = (await Dataset.findOne({ where: { name } }))!;
    const http = new HttpSession(server.baseUrl);
    await http.login(manager.email, TEST_PASSWORD);
    const queued = (await (
      await http.api('/resources/records/actions/bulkEditMatching', 'POST', {
        mode: 'apply',
        'filter.datasetId': String(big.id),
        label: 'spam',
      })
    ).json()) as { notice: { type: string; message: string }; redirectUrl: string };
    assert.equal(queued.notice.type, 'success', queued.notice.message);

    const { page, errors } = await openPage(browser, server.baseUrl, manager.email);
    await page.goto(`${server.baseUrl}${queued.redirectUrl}`);
    await page.waitForSelector('[data-testid="job-progress"][data-status="succeeded"]', { timeout: 60_000 });
    await page.click('[data-testid="job-revert-link"]');
    await page.waitForSelector('[data-testid="revert-summary"]');
    assert.match(
      (await page.textContent('[data-testid="revert-what-happens"]')) ?? '',
      /runs as a job, and you follow its progress/,
    );
    await page.click('[data-testid="revert-confirm"]');
    await page.waitForURL(/\/admin\/resources\/jobs\/records\/\d+\/show/);
    await page.waitForSelector('[data-testid="job-progress"][data-status="succeeded"]', { timeout: 60_000 });
    assert.match(
      (await page.textContent('[data-testid="job-revert-result"]')) ?? '',
      new RegExp(`Reverted ${size.toLocaleString('en')} records`),
    );
    // The revert is a change-set of its own: its job page offers to revert it in turn.
    assert.equal(await page.locator('[data-testid="job-revert-link"]').count(), 1);
    assert.equal(await DataRecord.count({ where: { datasetId: big.id, label: { [Op.ne]: 'ham' } } }), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
