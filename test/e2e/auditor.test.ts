import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DataRecord, ModelAlias } from '../../models/index.js';
import { trainModel } from '../../src/ml/train-model.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { createPenguinModel } from '../support/penguin-model.js';

describe('an auditor reviews, exports and verifies the audit log in the browser', () => {
  let server: RunningConsole;
  let browser: Browser;
  let scientistEmail: string;
  let aliasId: number;
  let recordId: number;
  let promotedAt: Date;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const scientist = await createTestUser('data_scientist');
    scientistEmail = scientist.email;
    const actor = { type: 'user' as const, ...scientist };
    const model = await createPenguinModel('audit-e2e');
    const v1 = (await trainModel(actor, { model: model.name, maxIterations: 5 })).version;
    const v2 = (await trainModel(actor, { model: model.name, maxIterations: 8 })).version;
    await promoteAlias(actor, { versionId: v1.id, alias: 'production' });
    promotedAt = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await promoteAlias(actor, { versionId: v2.id, alias: 'production' });
    aliasId = (await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } }))!.id;

    // A content manager relabels a record in the console.
    const manager = await createTestUser('content_manager');
    const http = new HttpSession(server.baseUrl);
    await http.login(manager.email, TEST_PASSWORD);
    const record = (await DataRecord.findOne({ where: { datasetId: model.datasetId, label: 'Adelie' } }))!;
    recordId = record.id;
    const edited = await http.api(`/resources/records/records/${record.id}/edit`, 'POST', { label: 'Gentoo' });
    assert.equal(edited.status, 200);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds who promoted which version when, and what served production at a given time', async () => {
    const auditor = await createTestUser('auditor');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, auditor.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/modelAliases/records/${aliasId}/history`);
    await page.waitForSelector('[data-testid="alias-move-1"]');
    assert.match(
      (await page.textContent('[data-testid="alias-move-0"]')) ?? '',
      new RegExp(`${scientistEmail}.*promoted v1 → v2`),
    );
    assert.match((await page.textContent('[data-testid="alias-move-1"]')) ?? '', /promoted \(new alias\) → v1/);
    await page.fill('[data-testid="alias-at"]', promotedAt.toISOString().slice(0, 16));
    const served = (await page.textContent('[data-testid="alias-served"]')) ?? '';
    assert.ok(/served v1/.test(served) || /did not exist yet/.test(served), served); // the minute may start before the promotion
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("follows a record's history to the edit and sees what changed, field by field", async () => {
    const auditor = await createTestUser('auditor');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signInByPost(page, server.baseUrl, auditor.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${recordId}/show`);
    const edit = page.locator('[data-testid="record-history"] tr[data-action="records.update"]');
    await edit.waitFor();
    assert.match((await edit.innerText()).replace(/\s+/g, ' '), /label: Adelie → Gentoo/);
    await edit.getByRole('link', { name: 'edited' }).click();
    await page.waitForSelector('[data-testid="change-set-table"] tbody tr');
    const changed = page.locator('[data-testid="change-set-table"] tbody tr');
    assert.equal(await changed.count(), 1);
    assert.match((await changed.innerText()).replace(/\s+/g, ' '), new RegExp(`${recordId} label Adelie Gentoo`));
    await page.close();
  });

  it('verifies the chain and exports the log from the console', async () => {
    const auditor = await createTestUser('auditor');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    await signInByPost(page, server.baseUrl, auditor.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/auditEvents/actions/verify`);
    await page.click('[data-testid="verify-run"]');
    await page.waitForSelector('[data-testid="verify-report"]');
    assert.equal(await page.getAttribute('[data-testid="verify-report"]', 'data-ok'), 'true');
    // The result stands alone: no "Not verified yet." (nor an older "Last verified") beside it.
    assert.doesNotMatch(await page.getByTestId('verify-audit').innerText(), /Not verified yet|Last verified/);
    assert.match((await page.textContent('[data-testid="verify-head"]')) ?? '', /^\d+:[0-9a-f]{64}$/);

    await page.goto(`${server.baseUrl}/admin/resources/auditEvents/actions/export`);
    await page.fill('#action', 'model_aliases.promote');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    const text = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', reject);
      });
    });
    assert.match(text.split('\n')[0]!, /^seq,at,actorType/);
    assert.ok(
      text
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .every((line) => line.includes('model_aliases.promote')),
    );
    await page.close();
  });
});
