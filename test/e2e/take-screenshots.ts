// Regenerates the README's screenshots (`npm run screenshots`): a throwaway embedded Postgres with the
// demo data, the real console, and Chromium. Not a test; run it when the console's look changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  AuditEvent,
  DataRecord,
  Dataset,
  initModels,
  Job,
  MlModel,
  ModelAlias,
  ModelVersion,
  User,
} from '../../models/index.js';
import { startQueue, stopQueue } from '../../src/jobs/queue.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { queueScoring } from '../../src/scoring/queue-scoring.js';
import { updateRecord } from '../../src/records/save-record.js';
import { RequestStats } from '../../src/monitoring/request-stats.js';
import { promoteAlias } from '../../src/registry/promote-alias.js';
import { trainModel } from '../../src/ml/train-model.js';
import { claimItem } from '../../src/review/claim-item.js';
import { createReviewQueue } from '../../src/review/create-queue.js';
import { labelItem } from '../../src/review/label-item.js';
import { seedDemoData } from '../../seeders/index.js';
import { connectSequelize } from '../../src/db/connection.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { composeWebApp } from '../../src/web/compose-web-app.js';
import { changeNotifications } from '../../src/db/change-notifications.js';
import http from 'node:http';
import { loadConfig } from '../../src/platform/config.js';
import { projectRoot } from '../../src/platform/project-root.js';
import { sessionOptions } from '../../src/server/session.js';
import { saveUser } from '../../src/users/save-user.js';
import { launchChromium, signIn } from '../support/browser.js';
import { freePort } from '../support/free-port.js';

const out = path.join(projectRoot, 'admin', 'screenshots');
const password = 'screenshot passphrase 2026';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-shots-'));
const db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
const sequelize = connectSequelize({ url: db.url });
try {
  initModels(sequelize);
  await migrate(sequelize, db.url);
  await seedDemoData({ type: 'system' });
  const retrained = await trainModel({ type: 'system' }, { model: 'penguin-species', l2: 0.01 });
  await promoteAlias({ type: 'system' }, { versionId: retrained.version.id, alias: 'production' });
  const spam = (await MlModel.findOne({ where: { name: 'spam-filter' } }))!;
  const penguins = (await MlModel.findOne({ where: { name: 'penguin-species' } }))!;
  const spamVersion = (await ModelVersion.findOne({ where: { modelId: spam.id } }))!;
  for (const [email, role] of [
    ['admin@example.com', 'admin'],
    ['content@example.com', 'content_manager'],
    ['auditor@example.com', 'auditor'],
    ['scientist@example.com', 'data_scientist'],
  ] as const) {
    await saveUser({ type: 'system' }, { email, role, password });
  }
  // Predictions and a few edits, so the charts have something to show.
  await startQueue(db.url);
  await startWorker();
  for (const model of ['penguin-species', 'spam-filter']) {
    const { job } = await queueScoring({ type: 'system' }, { model });
    while (!['succeeded', 'failed', 'cancelled'].includes((await job.reload()).status))
      await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const penguinData = (await Dataset.findOne({ where: { name: 'penguins' } }))!;
  for (const record of await DataRecord.findAll({ where: { datasetId: penguinData.id, split: 'test' }, limit: 6 })) {
    await updateRecord({ type: 'system' }, record.id, { tags: ['reviewed'] });
  }
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const pool = new pg.Pool({ connectionString: db.url });
  const secret = 'screenshots-session-secret-0123456789abcdef';
  const session = { ...sessionOptions(pool, secret, config), secret };
  const requestStats = new RequestStats(sequelize);
  await changeNotifications.start(db.url);
  const { app, closeApi } = await composeWebApp({ config, sequelize, session, requestStats });
  const spamData = (await Dataset.findOne({ where: { name: 'spam-assassin' } }))!;
  const scientist = (await User.findOne({ where: { email: 'scientist@example.com' } }))!;
  const productionAlias = (await ModelAlias.findOne({ where: { modelId: penguins.id, alias: 'production' } }))!;
  const promotion = (await AuditEvent.findOne({
    where: { action: 'model_aliases.promote' },
    order: [['seq', 'DESC']],
  }))!;
  const port = await freePort();
  const server = http.createServer(app).listen(port, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const browser = await launchChromium();
  fs.mkdirSync(out, { recursive: true });
  /** [file name, URL, element to wait for, scroll that element into view first] */
  const shoot = async (email: string, shots: Array<[string, string, string?, boolean?]>) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await signIn(page, base, email, password);
    for (const [name, url, waitFor, scroll] of shots) {
      await page.goto(`${base}${url}`);
      await page.waitForSelector(waitFor ?? 'body');
      if (scroll && waitFor) await page.locator(waitFor).first().scrollIntoViewIfNeeded();
      await page.waitForTimeout(300);
      // The dashboards are long pages: show them whole (AdminJS scrolls inside its own container,
      // so a full-page shot needs a viewport as tall as the content).
      const whole = name.startsWith('dashboard-') && !scroll;
      if (whole) {
        const height = await page.evaluate(() =>
          Math.max(...Array.from(document.querySelectorAll('*'), (e) => e.scrollHeight)),
        );
        await page.setViewportSize({ width: 1280, height: Math.min(height + 80, 2200) });
        await page.waitForTimeout(300);
      }
      await page.screenshot({ path: path.join(out, `${name}.png`) });
      if (whole) await page.setViewportSize({ width: 1280, height: 760 });
      console.log(`wrote admin/screenshots/${name}.png`);
    }
    await page.close();
  };
  const login = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await login.goto(`${base}/admin/login`);
  await login.screenshot({ path: path.join(out, 'login.png') });
  await login.close();
  await shoot('admin@example.com', [
    ['train-form', `/admin/resources/models/records/${penguins.id}/train`, '[data-testid="train-form"]'],
    ['records-list', '/admin/resources/records', 'tbody tr[data-id]'],
    ['record-show', '/admin/resources/records/records/5/show', 'section'],
    [
      'version-metrics',
      `/admin/resources/modelVersions/records/${spamVersion.id}/show`,
      '[data-testid="version-metrics"] canvas',
    ],
    [
      'version-calibration',
      `/admin/resources/modelVersions/records/${spamVersion.id}/show`,
      '[data-testid="calibration-report"] canvas',
      true,
    ],
    [
      'compare-versions',
      `/admin/resources/models/records/${penguins.id}/compare`,
      '[data-testid="compare-versions"] canvas',
    ],
    [
      'upload-form',
      `/admin/resources/models/records/${penguins.id}/upload`,
      'input#labels[placeholder="Adelie, Chinstrap, Gentoo"]',
    ],
  ]);
  await requestStats.flush(); // the traffic of the shots so far, for the dashboard's charts
  await shoot('admin@example.com', [
    ['dashboard-admin', '/admin', '[data-testid="system-health"]'],
    ['dashboard-charts', '/admin?section=operations', '[data-testid="operations-charts"]', true],
    ['model-hub', `/admin/resources/models/records/${penguins.id}/show`, '[data-testid="hub-versions"]', true],
    [
      'dataset-hub',
      `/admin/resources/datasets/records/${penguinData.id}/show`,
      '[data-testid="hub-counts-table"]',
      true,
    ],
    ['records-spam', `/admin/resources/records?filters.datasetId=${spamData.id}`, 'tbody tr[data-id]'],
    ['user-activity', `/admin/resources/users/records/${scientist.id}/show`, '[data-testid="user-activity"]', true],
  ]);
  await shoot('admin@example.com', [['api-docs', '/api/docs', '.opblock-summary-path']]);
  // The key as its issuer sees it, once.
  const issuing = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await signIn(issuing, base, 'admin@example.com', password);
  await issuing.goto(`${base}/admin/resources/apiKeys/actions/issue`);
  await issuing.fill('[data-testid="issue-api-key-form"] #ownerEmail', 'admin@example.com');
  await issuing.fill('[data-testid="issue-api-key-form"] #name', 'fraud-service production');
  await issuing.screenshot({ path: path.join(out, 'api-key-form.png') });
  await issuing.click('[data-testid="issue-api-key-submit"]');
  await issuing.waitForSelector('[data-testid="api-key-issued"]');
  await issuing.waitForTimeout(300);
  await issuing.screenshot({ path: path.join(out, 'api-key-issued.png') });
  await issuing.close();
  console.log('wrote admin/screenshots/api-key-form.png, api-key-issued.png');
  await shoot('content@example.com', [
    ['dashboard-content-manager', '/admin', '[data-testid="chart-labels-by-split"] canvas'],
    [
      'dataset-charts',
      `/admin/resources/datasets/records/${penguinData.id}/charts`,
      '[data-testid="chart-labels-by-split"] canvas',
    ],
  ]);
  const firstPenguins = (
    await DataRecord.findAll({ where: { datasetId: penguinData.id }, order: [['id', 'ASC']], limit: 3 })
  ).map((r) => r.id);
  const bulk = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await signIn(bulk, base, 'content@example.com', password);
  await bulk.goto(`${base}/admin/resources/records/bulk/bulkEdit?recordIds=${firstPenguins.join(',')}`);
  await bulk.waitForSelector('[data-testid="bulk-edit"]');
  await bulk.waitForSelector('select#label option[value="Chinstrap"]', { state: 'attached' });
  await bulk.selectOption('select#label', 'Chinstrap');
  await bulk.fill('#addTags', 'reviewed');
  await bulk.click('[data-testid="bulk-preview-button"]');
  await bulk.waitForSelector('[data-testid="bulk-preview"]');
  await bulk.waitForTimeout(300);
  await bulk.screenshot({ path: path.join(out, 'bulk-edit.png') });
  // Applied, then one of the records relabelled by someone else: the event's change-set and a revert
  // preview with that conflict.
  await bulk.click('[data-testid="bulk-apply"]');
  await bulk.waitForURL(/\/admin\/resources\/records(\?|$)/);
  const admin = (await User.findOne({ where: { email: 'admin@example.com' } }))!;
  await updateRecord({ type: 'user', id: admin.id, email: admin.email, role: 'admin' }, firstPenguins[1]!, {
    label: 'Gentoo',
  });
  const bulkEvent = (await AuditEvent.findOne({
    where: { action: 'records.bulk_update', outcome: 'success' },
    order: [['seq', 'DESC']],
  }))!;
  await bulk.goto(`${base}/admin/resources/auditEvents/records/${bulkEvent.seq}/show`);
  await bulk.waitForSelector('[data-testid="change-set-table"] tbody tr');
  await bulk.locator('[data-testid="change-set"]').scrollIntoViewIfNeeded();
  await bulk.waitForTimeout(300);
  await bulk.screenshot({ path: path.join(out, 'change-set.png') });
  await bulk.click('[data-testid="change-set-revert"]');
  await bulk.waitForSelector('[data-testid="revert-conflicts"]');
  await bulk.setViewportSize({ width: 1280, height: 1000 });
  await bulk.waitForTimeout(300);
  await bulk.screenshot({ path: path.join(out, 'revert-preview.png') });
  await bulk.setViewportSize({ width: 1280, height: 760 });
  await bulk.goto(`${base}/admin/resources/records/records/${firstPenguins[1]}/show`);
  await bulk.waitForSelector('[data-testid="record-history"] tbody tr');
  await bulk.locator('[data-testid="record-history"]').scrollIntoViewIfNeeded();
  await bulk.waitForTimeout(300);
  await bulk.screenshot({ path: path.join(out, 'record-history.png') });
  console.log('wrote admin/screenshots/change-set.png, revert-preview.png, record-history.png');
  await bulk.goto(`${base}/admin/resources/datasets/records/${penguinData.id}/importCsv`);
  await bulk.waitForSelector('[data-testid="import-form"]');
  const csv =
    'beak_length_mm,beak_depth_mm,flipper_length_mm,body_mass_g,island,sex,species\n41.5,18.1,210,4200,Biscoe,MALE,Gentoo\n39,17,190,3600,Mars,FEMALE,Adelie\n45.2,15.5,215,5000,Dream,,Gentoo\n';
  await bulk.setInputFiles('[data-testid="import-file"]', {
    name: 'new-penguins.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await bulk.click('[data-testid="import-upload"]');
  await bulk.waitForSelector('[data-testid="import-mapping"]');
  await bulk.selectOption('[data-testid="map-species"]', 'label');
  await bulk.click('[data-testid="import-dry-run"]');
  await bulk.waitForSelector('[data-testid="import-summary"]', { timeout: 30_000 });
  // Tall enough for the dry run's error table (AdminJS scrolls inside its own container).
  await bulk.setViewportSize({ width: 1280, height: 1250 });
  await bulk.waitForTimeout(300);
  await bulk.screenshot({ path: path.join(out, 'import-dry-run.png') });
  await bulk.close();
  console.log('wrote admin/screenshots/bulk-edit.png, import-dry-run.png');
  await shoot('scientist@example.com', [
    ['dashboard-data-scientist', `/admin?model=${penguins.id}`, '[data-testid="chart-score-histogram"] canvas'],
    [
      'model-charts',
      `/admin/resources/models/records/${penguins.id}/charts`,
      '[data-testid="chart-version-metrics"] canvas',
    ],
  ]);
  await shoot('auditor@example.com', [
    ['dashboard-auditor', '/admin', '[data-testid="chart-audit-by-action"] canvas'],
    ['audit-events', '/admin/resources/auditEvents', 'tbody tr[data-id]'],
    ['audit-diff', `/admin/resources/auditEvents/records/${promotion.seq}/show`, '[data-testid="audit-diff"]', true],
    [
      'alias-history',
      `/admin/resources/modelAliases/records/${productionAlias.id}/history`,
      '[data-testid="alias-move-0"]',
    ],
    ['verify-audit', '/admin/resources/auditEvents/actions/verify', '[data-testid="verify-run"]'],
    ['export-audit', '/admin/resources/auditEvents/actions/export', '[data-testid="export-audit"]'],
  ]);
  // The review loop: a least-margin queue over the spam filter's predictions, a content manager
  // confirming or fixing a few labels, a retrain on what was reviewed, and the penguins' drift report.
  const manager = (await User.findOne({ where: { email: 'content@example.com' } }))!;
  const asScientist = { type: 'user' as const, id: scientist.id, email: scientist.email, role: scientist.role };
  const asManager = { type: 'user' as const, id: manager.id, email: manager.email, role: manager.role };
  const built = await createReviewQueue(asScientist, {
    datasetId: spamData.id,
    modelVersionId: spamVersion.id,
    strategy: 'least_margin',
    filter: { split: 'train', dedupe: 'exact' },
    size: 60,
    secondReview: true,
  });
  while (!['succeeded', 'failed', 'cancelled'].includes((await Job.findByPk(built.jobId))!.status))
    await new Promise((resolve) => setTimeout(resolve, 200));
  for (let n = 0; n < 24; n += 1) {
    const work = await claimItem(asManager, built.queue.id);
    if (!work.item) break;
    const label = work.item.record.label ?? work.queue.labels[0]!;
    await labelItem(asManager, built.queue.id, work.item.position, { label });
  }
  const reviewedVersion = (
    await trainModel(asScientist, { model: 'spam-filter', reviewedSince: new Date(Date.now() - 3_600_000) })
  ).version;
  await shoot('scientist@example.com', [
    [
      'review-queue',
      `/admin/resources/reviewQueues/records/${built.queue.id}/show`,
      '[data-testid="review-queue-progress"]',
    ],
    ['drift-report', `/admin/resources/models/records/${penguins.id}/drift`, '[data-testid="drift-report"] canvas'],
    [
      'reviewed-report',
      `/admin/resources/modelVersions/records/${reviewedVersion.id}/show`,
      '[data-testid="reviewed-report"]',
      true,
    ],
  ]);
  await shoot('content@example.com', [
    ['label-queue', `/admin/resources/reviewQueues/records/${built.queue.id}/label`, '[data-testid="label-item"]'],
  ]);
  await browser.close();
  await stopWorker();
  await stopQueue();
  server.closeAllConnections();
  server.close();
  await closeApi();
  await changeNotifications.stop();
  await pool.end();
} finally {
  await sequelize.close();
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
