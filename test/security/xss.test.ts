import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Op } from 'sequelize';
import { AuditEvent, ModelVersion, RecordPrediction } from '../../models/index.js';
import { startWorker, stopWorker } from '../../src/jobs/run-worker.js';
import { launchChromium, signIn } from '../support/browser.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../support/console-server.js';
import { unique } from '../support/database.js';
import { cancelQueuedJobs, waitForJob } from '../support/jobs.js';
import { stringify } from 'csv-stringify/sync';

/** What an attacker types into any field: each would set window.__xss (or open a dialog) if it ever ran. */
const XSS = {
  script: '<script>window.__xss=1</script>',
  img: '"><img src=x onerror="window.__xss=1">',
  svg: '<svg onload="window.__xss=1">',
  jsUrl: 'javascript:window.__xss=1',
  alert: "'-alert(1)-'",
  template: "{{constructor.constructor('window.__xss=1')()}}",
} as const;
const PAYLOADS: readonly string[] = Object.values(XSS);
/** A label no dataset has: a bulk edit to it fails, and its message (and audit reason) quotes it. */
const FOREIGN_LABEL = '<img src=x onerror=alert(document.domain)>';
/** One distinct word per label, so a text model can learn them apart. */
const WORDS = ['apple', 'banana', 'cherry', 'damson', 'elder', 'fig'];

/** What a page did that it must not: a payload ran, a dialog opened, the CSP blocked something, a script error. */
interface Watch {
  ran: string[];
  dialogs: string[];
  violations: string[];
  errors: string[];
}

type Trapped = Window & { __xss?: unknown; __xssRan(where: string): void; __cspViolation(what: string): void };

/** Runs in every document before its own scripts: a setter trap on window.__xss and a CSP violation listener. */
function installTraps(): void {
  const win = window as unknown as Trapped;
  let value: unknown;
  Object.defineProperty(win, '__xss', {
    configurable: false,
    get: () => value,
    set: (v: unknown) => {
      value = v;
      win.__xssRan(`${location.pathname}${location.search} set window.__xss = ${String(v)}`);
    },
  });
  document.addEventListener('securitypolicyviolation', (e) =>
    win.__cspViolation(
      `${e.effectiveDirective} blocked ${e.blockedURI || 'inline code'} on ${location.pathname} (from ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}): ${e.sample}`,
    ),
  );
}

/**
 * The one thing the console's own code asks of the policy and is refused: the `global` shim in AdminJS's
 * design-system bundle tries `new Function("return this")` and, refused, falls back to `window`.
 */
const CONSOLE_OWN_VIOLATION =
  /^script-src blocked eval on \S+ \(from \S+\/admin\/frontend\/assets\/design-system\.bundle\.js:\d+:\d+\)/;

async function watch(page: Page): Promise<Watch> {
  const seen: Watch = { ran: [], dialogs: [], violations: [], errors: [] };
  await page.exposeBinding('__xssRan', (_source, where: string) => void seen.ran.push(where));
  await page.exposeBinding(
    '__cspViolation',
    (_source, what: string) => void (CONSOLE_OWN_VIOLATION.test(what) || seen.violations.push(what)),
  );
  await page.addInitScript(installTraps);
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()} (${page.url()})`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => seen.errors.push(error.message));
  return seen;
}

function reset(seen: Watch): void {
  for (const list of Object.values(seen) as string[][]) list.length = 0;
}

/** Lets anything a payload could trigger happen: broken images have fired onerror, two frames were painted. */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

function assertNothingRan(seen: Watch): void {
  assert.deepEqual(seen.ran, [], 'no payload set window.__xss');
  assert.deepEqual(seen.dialogs, [], 'no payload opened a dialog');
  assert.deepEqual(seen.violations, [], 'no payload became markup the CSP had to block');
  assert.deepEqual(seen.errors, [], 'no script errors');
}

/** Waits until the page shows every string in `texts` as text (innerText), and says which are missing if not. */
async function shownAsText(page: Page, texts: readonly string[], within = 'body'): Promise<void> {
  try {
    await page.waitForFunction(
      ({ wanted, selector }) => {
        const text = document.querySelector<HTMLElement>(selector)?.innerText ?? '';
        return wanted.every((t) => text.includes(t));
      },
      { wanted: texts, selector: within },
      { timeout: 20_000 },
    );
  } catch {
    const text =
      (await page
        .locator(within)
        .first()
        .innerText()
        .catch(() => '')) ?? '';
    assert.deepEqual(
      texts.filter((t) => !text.includes(t)),
      [],
      `${page.url()} shows these as text in ${within}, which reads: ${text.slice(0, 1500)}`,
    );
  }
  await settle(page);
}

/** Waits until a canvas's pixels stop changing (its chart finished animating) and returns them. */
async function stillFrame(page: Page, selector: string): Promise<string> {
  const handle = await page.waitForFunction(
    (sel) => {
      const state = window as unknown as { __lastFrame?: string };
      const frame = (document.querySelector(sel) as HTMLCanvasElement).toDataURL();
      const same = frame === state.__lastFrame;
      state.__lastFrame = frame;
      return same ? frame : false;
    },
    selector,
    { polling: 150, timeout: 20_000 },
  );
  return (await handle.jsonValue()) as string;
}

/** Moves the mouse over a chart until its canvas repaints (a tooltip opened over a bar); false if it never does. */
async function hoverUntilTooltip(page: Page, selector: string): Promise<boolean> {
  const still = await stillFrame(page, selector);
  const box = (await page.locator(selector).boundingBox())!;
  for (let y = 0.9; y >= 0.15; y -= 0.075) {
    for (let x = 0.04; x < 1; x += 0.04) {
      await page.mouse.move(box.x + box.width * x, box.y + box.height * y);
      const now = await page.$eval(
        selector,
        (canvas) =>
          new Promise<string>((resolve) =>
            requestAnimationFrame(() => resolve((canvas as HTMLCanvasElement).toDataURL())),
          ),
      );
      if (now !== still) return true;
    }
  }
  return false;
}

/** The directives of a Content-Security-Policy header. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('user data never runs as script anywhere in the console (Chromium, CSP)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: Watch;
  let http: HttpSession;
  let adminEmail: string;
  const ids = {
    dataset: 0,
    model: 0,
    version: 0,
    /** A record whose text was edited to payloads (its audit event shows the diff). */
    edited: 0,
    /** A record with a prediction (scored by the payload-labelled model). */
    scored: 0,
    user: 0,
    trainJob: 0,
    failedJob: 0,
    scoreJob: 0,
    editEvent: 0,
    bulkFailedEvent: 0,
    bulkEvent: 0,
    loginEvent: 0,
  };
  const apiKeyNames = [`${XSS.img} ${XSS.script}`, `${XSS.svg} ${XSS.jsUrl}`, `${XSS.alert} ${XSS.template}`];

  /** AdminJS's "new" through the console API, as its form posts it (flattened arrays); returns the id. */
  async function create(resource: string, params: Record<string, string>): Promise<number> {
    const response = await http.api(`/resources/${resource}/actions/new`, 'POST', params);
    const body = (await response.json()) as {
      record?: { id: string; errors?: Record<string, unknown> };
      notice?: { type: string; message: string };
    };
    assert.equal(response.status, 200, `create ${resource}`);
    assert.deepEqual(body.record?.errors ?? {}, {}, `create ${resource}: ${JSON.stringify(body)}`);
    assert.notEqual(body.notice?.type, 'error', `create ${resource}: ${body.notice?.message}`);
    return Number(body.record!.id);
  }

  /** A custom console action; returns its JSON answer. */
  async function act(
    path: string,
    data: Record<string, string>,
  ): Promise<{ notice?: { type: string; message: string }; redirectUrl?: string }> {
    const response = await http.api(path, 'POST', data);
    assert.equal(response.status, 200, path);
    return (await response.json()) as { notice?: { type: string; message: string }; redirectUrl?: string };
  }

  const jobIn = (answer: { redirectUrl?: string }) =>
    Number(/\/jobs\/records\/(\d+)\/show/.exec(answer.redirectUrl ?? '')?.[1]);

  const latestEvent = async (where: Record<string, unknown>) =>
    (await AuditEvent.findOne({ where, order: [['seq', 'DESC']] }))!.seq;

  before(async function () {
    this.timeout(240_000);
    server = await startConsoleServer();
    // Our jobs must not wait behind jobs earlier suites of this run left queued (for no worker): the
    // worker takes one job at a time per kind, oldest first.
    await cancelQueuedJobs();
    await startWorker();
    browser = await launchChromium();
    const admin = await createTestUser('admin');
    adminEmail = admin.email;
    http = new HttpSession(server.baseUrl);
    assert.equal((await http.login(admin.email, TEST_PASSWORD)).status, 302);

    // A dataset whose description, source, licence and every label are payloads.
    ids.dataset = await create('datasets', {
      name: unique('xss'),
      task: 'text-classification',
      description: PAYLOADS.join('\n'),
      source: XSS.jsUrl,
      license: XSS.img,
      ...Object.fromEntries(PAYLOADS.map((label, i) => [`labels.${i}`, label])),
    });
    // Its records: text, label, tags and source are payloads (4 train and 1 test row per label).
    for (const [i, label] of PAYLOADS.entries()) {
      for (let n = 0; n < 5; n += 1) {
        ids.scored = await create('records', {
          datasetId: String(ids.dataset),
          text: `${WORDS[i]} ${WORDS[i]} ${label}`,
          label,
          split: n < 4 ? 'train' : 'test',
          'tags.0': XSS.svg,
          'tags.1': XSS.template,
          source: XSS.jsUrl,
        });
      }
    }
    // A record whose text is then edited to payloads: its audit event holds the before/after diff.
    ids.edited = await create('records', {
      datasetId: String(ids.dataset),
      text: 'an innocent record',
      label: XSS.alert,
      split: 'holdout',
    });
    const edited = await http.api(`/resources/records/records/${ids.edited}/edit`, 'POST', {
      text: `${XSS.script} ${XSS.img}`,
    });
    assert.equal(edited.status, 200);
    ids.editEvent = await latestEvent({ action: 'records.update', recordIds: { [Op.contains]: [String(ids.edited)] } });

    // A model described with payloads, trained on the payload labels, then scoring the dataset.
    ids.model = await create('models', {
      name: unique('xss-model'),
      description: PAYLOADS.join('\n'),
      task: 'text-classification',
      datasetId: String(ids.dataset),
    });
    ids.trainJob = jobIn(await act(`/resources/models/records/${ids.model}/train`, { maxIterations: '30' }));
    // A training filter on a tag no record has: the job fails with a message quoting the tag.
    ids.failedJob = jobIn(
      await act(`/resources/models/records/${ids.model}/train`, { maxIterations: '5', tag: XSS.img }),
    );
    assert.equal((await waitForJob(ids.trainJob)).status, 'succeeded');
    ids.version = (await ModelVersion.findOne({ where: { modelId: ids.model } }))!.id;
    ids.scoreJob = jobIn(await act(`/resources/models/records/${ids.model}/score`, { mode: 'apply', version: '1' }));
    assert.equal((await waitForJob(ids.scoreJob)).status, 'succeeded');
    assert.equal((await waitForJob(ids.failedJob)).status, 'failed');

    // A user whose display name is payloads; API keys whose purpose is.
    ids.user = await create('users', {
      email: `${unique('xss-user')}@example.com`,
      name: PAYLOADS.join(' '),
      role: 'auditor',
      newPassword: TEST_PASSWORD,
    });
    for (const name of apiKeyNames) {
      const issued = await act('/resources/apiKeys/actions/issue', {
        ownerEmail: admin.email,
        name,
        scopes: 'predict',
      });
      assert.equal(issued.notice?.type, 'success', issued.notice?.message);
    }

    // Bulk edits: one to a label the dataset lacks (fails: its reason and selection quote payloads), one adding a payload tag.
    const refused = await act('/resources/records/actions/bulkEditMatching', {
      mode: 'apply',
      'filter.datasetId': String(ids.dataset),
      'filter.text': XSS.svg,
      label: FOREIGN_LABEL,
    });
    assert.equal(refused.notice?.type, 'error');
    ids.bulkFailedEvent = await latestEvent({ action: 'records.bulk_update', outcome: 'failed' });
    const tagged = await act('/resources/records/actions/bulkEditMatching', {
      mode: 'apply',
      'filter.datasetId': String(ids.dataset),
      'filter.tag': XSS.template,
      addTags: XSS.script,
    });
    assert.equal(tagged.notice?.type, 'success', tagged.notice?.message);
    ids.bulkEvent = await latestEvent({ action: 'records.bulk_update', outcome: 'success' });

    // A sign-in attempt with a payload as email and as User-Agent: both are in the audit log.
    const stranger = new HttpSession(server.baseUrl);
    await stranger.request('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': XSS.img },
      body: new URLSearchParams({ email: XSS.script, password: 'not the password' }).toString(),
    });
    ids.loginEvent = await latestEvent({ action: 'auth.login', outcome: { [Op.ne]: 'success' }, userAgent: XSS.img });

    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    seen = await watch(page);
    await signIn(page, server.baseUrl, admin.email, TEST_PASSWORD);
  });
  beforeEach(() => reset(seen));
  after(async () => {
    await stopWorker();
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const visit = async (path: string, texts: readonly string[], within?: string) => {
    await page.goto(`${server.baseUrl}${path}`);
    await shownAsText(page, texts, within);
  };

  it('shows record text, labels, tags and source as text in the records list, show and edit pages', async () => {
    await visit(`/admin/resources/records?filters.datasetId=${ids.dataset}&perPage=50`, PAYLOADS, 'table');
    await visit(`/admin/resources/records/records/${ids.scored}/show`, [
      XSS.template,
      XSS.svg,
      XSS.jsUrl,
      `${WORDS[5]} ${WORDS[5]} ${XSS.template}`,
    ]);
    await visit(`/admin/resources/records/records/${ids.edited}/show`, [`${XSS.script} ${XSS.img}`, XSS.alert]);
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${ids.scored}/edit`);
    await page.waitForSelector('textarea[name="text"]');
    assert.equal(await page.inputValue('textarea[name="text"]'), `${WORDS[5]} ${WORDS[5]} ${XSS.template}`);
    assert.equal(await page.inputValue('input[name="source"]'), XSS.jsUrl);
    assert.equal(await page.inputValue('input[name="tags.0"]'), XSS.svg);
    await settle(page);
    assertNothingRan(seen);
  });

  it("shows the prediction of a payload-labelled model: the predicted label and every probability's label as text", async () => {
    const prediction = (await RecordPrediction.findOne({ where: { recordId: ids.scored } }))!;
    assert.ok(PAYLOADS.includes(prediction.predictedLabel));
    await visit(
      `/admin/resources/records/records/${ids.scored}/show`,
      [prediction.predictedLabel],
      '[data-testid="property-show-predictedLabel"]',
    );
    // Every label of the version shows whole, as text, beside its probability (dots included: they are
    // label/probability pairs, not keys AdminJS would split).
    const version = (await ModelVersion.findByPk(prediction.modelVersionId))!;
    const shown = (await page.textContent('[data-testid="probabilities"]')) ?? '';
    for (const label of (version.outputSchema as { labels: string[] }).labels)
      assert.ok(shown.includes(label), `probabilities show the label ${label}: ${shown}`);
    assertNothingRan(seen);
  });

  it('keeps payloads in URL filters inert (list filters, bulk-edit and export forms fill them in as values)', async () => {
    const query = `filters.datasetId=${ids.dataset}&filters.text=${encodeURIComponent(XSS.img)}&filters.tags=${encodeURIComponent(XSS.script)}`;
    await page.goto(`${server.baseUrl}/admin/resources/records?${query}`);
    await page.waitForSelector('[data-testid="action-new"], table');
    await settle(page);
    await page.goto(`${server.baseUrl}/admin/resources/records/actions/bulkEditMatching?${query}`);
    await page.waitForSelector('[data-testid="bulk-edit"]');
    assert.equal(await page.inputValue('[id="filter.text"]'), XSS.img);
    assert.equal(await page.inputValue('[id="filter.tag"]'), XSS.script);
    await page.goto(`${server.baseUrl}/admin/resources/records/actions/export?${query}`);
    await page.waitForSelector('[data-testid="export-records-csv"]');
    const href = (await page.getAttribute('[data-testid="export-records-csv"]', 'href')) ?? '';
    assert.match(href, /^\/admin\/exports\/records\.csv\?/);
    assert.equal(new URL(href, server.baseUrl).searchParams.get('filters.text'), XSS.img);
    await settle(page);
    assertNothingRan(seen);
  });

  it("shows the bulk-edit form's label choices, payload labels among them, as text", async () => {
    await page.goto(
      `${server.baseUrl}/admin/resources/records/actions/bulkEditMatching?filters.datasetId=${ids.dataset}`,
    );
    await page.waitForSelector('[data-testid="bulk-edit"] select#label option:nth-child(2)', { state: 'attached' });
    const choices = await page.locator('select#label option').allInnerTexts();
    assert.ok(
      choices.some((choice) => choice.includes('<')),
      `a payload label is offered as it is: ${choices.join(' | ')}`,
    );
    await settle(page);
    assertNothingRan(seen);
  });

  it('shows dataset description, labels, source and licence as text in the datasets list and show page (names cannot hold markup)', async () => {
    // Newest first: the suite's own rows lead the list however many other tests made before.
    await visit('/admin/resources/datasets?sortBy=id&direction=desc&perPage=50', [XSS.jsUrl], 'table');
    await visit(`/admin/resources/datasets/records/${ids.dataset}/show`, PAYLOADS);
    assertNothingRan(seen);
  });

  it('shows a model description and its version metrics (per-class table, confusion matrix) with payload labels as text', async () => {
    await visit(`/admin/resources/models/records/${ids.model}/show`, PAYLOADS);
    await visit(
      `/admin/resources/modelVersions/records/${ids.version}/show`,
      PAYLOADS,
      '[data-testid="confusion-matrix"]',
    );
    assertNothingRan(seen);
  });

  it('shows jobs: a failed train job quotes the payload tag as text; a scoring summary charts payload labels and their tooltip', async () => {
    await visit('/admin/resources/jobs?perPage=50', ['Failed', 'Succeeded'], 'table');
    await visit(
      `/admin/resources/jobs/records/${ids.failedJob}/show`,
      [`tag = ${XSS.img}`],
      '[data-testid="job-progress"]',
    );
    await visit(`/admin/resources/jobs/records/${ids.trainJob}/show`, ['Succeeded'], '[data-testid="job-progress"]');
    await page.goto(`${server.baseUrl}/admin/resources/jobs/records/${ids.scoreJob}/show`);
    await page.waitForSelector('[data-testid="chart-score-labels"] canvas');
    assert.equal(
      await hoverUntilTooltip(page, '[data-testid="chart-score-labels"] canvas'),
      true,
      'hovering a bar drew its tooltip',
    );
    await settle(page);
    assertNothingRan(seen);
  });

  it("shows audit events: the change-set of an edit that wrote payloads (and the record's History), a refused bulk edit's reason and selection, a bulk edit's change-set of payload tags", async () => {
    await visit(`/admin/resources/auditEvents?filters.resource=records&perPage=50`, [FOREIGN_LABEL], 'table');
    await visit(
      `/admin/resources/auditEvents/records/${ids.editEvent}/show`,
      [`${XSS.script} ${XSS.img}`, 'an innocent record'],
      '[data-testid="change-set-table"]',
    );
    const changed = page.locator('[data-testid="change-set-table"] tr[data-field="text"]');
    assert.match(
      (await changed.innerText()) ?? '',
      new RegExp(
        `^${ids.edited}\\s+text\\s+an innocent record\\s+<script>window.__xss=1</script> "><img src=x onerror="window.__xss=1">$`,
      ),
    );
    // The record's History panel shows the same change, as text.
    await visit(
      `/admin/resources/records/records/${ids.edited}/show`,
      [`${XSS.script} ${XSS.img}`, 'an innocent record'],
      '[data-testid="record-history"] table',
    );
    // The selection is shown as JSON, so its quotes are escaped.
    await visit(`/admin/resources/auditEvents/records/${ids.bulkFailedEvent}/show`, [
      `"${FOREIGN_LABEL}" is not a label`,
      JSON.stringify(XSS.svg),
    ]);
    await visit(
      `/admin/resources/auditEvents/records/${ids.bulkEvent}/show`,
      [XSS.script, XSS.template],
      '[data-testid="change-set-table"]',
    );
    assertNothingRan(seen);
  });

  it("shows an import's column names, sample values and dry-run errors (which quote the cells) as text", async () => {
    await page.goto(`${server.baseUrl}/admin/resources/datasets/records/${ids.dataset}/importCsv`);
    await page.waitForSelector('[data-testid="import-form"]');
    // A column named with a payload, payload cells, and a label outside the label set (its error quotes it).
    const csv = stringify([
      ['text', 'label', XSS.svg],
      [XSS.script, FOREIGN_LABEL, XSS.img],
      [XSS.template, XSS.alert, XSS.jsUrl],
    ]);
    await page.setInputFiles('[data-testid="import-file"]', {
      name: `${XSS.img}.csv`,
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.click('[data-testid="import-upload"]');
    await page.waitForSelector('[data-testid="import-mapping"]');
    await shownAsText(page, [XSS.svg, XSS.img, XSS.script], '[data-testid="import-mapping"]');
    await page.click('[data-testid="import-dry-run"]');
    await page.waitForSelector('[data-testid="import-error-row"]', { timeout: 30_000 });
    await shownAsText(page, [FOREIGN_LABEL]);
    await settle(page);
    assertNothingRan(seen);
  });

  it("shows a failed sign-in's attempted email and User-Agent (both payloads) as text in the audit log", async () => {
    await visit(`/admin/resources/auditEvents/records/${ids.loginEvent}/show`, [XSS.script, XSS.img]);
    assertNothingRan(seen);
  });

  it('shows user display names and API key purposes as text in their lists and show pages', async () => {
    await visit(
      `/admin/resources/users?filters.role=auditor&sortBy=id&direction=desc&perPage=50`,
      [PAYLOADS.join(' ')],
      'table',
    );
    await visit(`/admin/resources/users/records/${ids.user}/show`, [PAYLOADS.join(' ')]);
    await visit('/admin/resources/apiKeys?sortBy=id&direction=desc&perPage=50', apiKeyNames, 'table');
    await page.click(`table tbody tr:has-text(${JSON.stringify(apiKeyNames[0])}) td:nth-child(2)`);
    await page.waitForURL(/\/apiKeys\/records\/\d+\/show/);
    await shownAsText(page, [apiKeyNames[0]!, adminEmail]);
    assertNothingRan(seen);
  });

  it('runs the dashboard and its charts without any payload running (no user text reaches their labels)', async () => {
    await visit('/admin?section=operations', ['ModelDesk']);
    await page.waitForSelector('[data-testid="operations-charts"]');
    await settle(page);
    assertNothingRan(seen);
  });

  describe('the Content-Security-Policy', () => {
    it("has script-src without 'unsafe-inline' and with a nonce that differs per response and is on each inline script", async () => {
      const nonces: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const response = await http.request('/admin/resources/records');
        assert.equal(response.status, 200);
        const policy = directives(response.headers.get('content-security-policy') ?? '');
        const scriptSrc = policy.get('script-src') ?? [];
        assert.ok(scriptSrc.length > 0, 'script-src is set');
        assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"), scriptSrc.join(' '));
        assert.ok(!scriptSrc.includes('*') && !scriptSrc.includes('data:'), scriptSrc.join(' '));
        assert.equal(policy.get('object-src')?.join(' '), "'none'");
        const nonce = scriptSrc.map((source) => /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(source)?.[1]).find(Boolean);
        assert.ok(nonce, `a nonce in ${scriptSrc.join(' ')}`);
        const html = await response.text();
        const inline = html.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? [];
        assert.ok(inline.length > 0, "the page has AdminJS's inline state script");
        for (const tag of inline) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
        nonces.push(nonce);
      }
      assert.notEqual(nonces[0], nonces[1], 'a fresh nonce per response');
    });

    it("blocks inline scripts and event handlers without the nonce in real Chromium, while a script with the page's nonce runs", async () => {
      const other = await context.newPage();
      const own = await watch(other);
      await other.goto(`${server.baseUrl}/admin/resources/records`);
      await other.waitForSelector('tbody tr[data-id]');
      assert.deepEqual(own.violations, [], 'the console itself needs nothing else the policy forbids');
      const blocked = await other.evaluate(() => {
        const violations: string[] = [];
        return new Promise<string[]>((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => {
            violations.push(e.effectiveDirective);
            if (violations.length === 3) resolve(violations);
          });
          const inline = document.createElement('script');
          inline.textContent = 'window.__xss = "inline script"';
          document.body.append(inline);
          const wrongNonce = document.createElement('script');
          wrongNonce.nonce = 'bm90LXRoZS1ub25jZQ==';
          wrongNonce.textContent = 'window.__xss = "wrong nonce"';
          document.body.append(wrongNonce);
          const image = document.createElement('img');
          image.setAttribute('onerror', 'window.__xss = "event handler"');
          image.src = 'data:,broken';
          document.body.append(image);
        });
      });
      assert.deepEqual([...blocked].sort(), ['script-src-attr', 'script-src-elem', 'script-src-elem']);
      await settle(other);
      assert.deepEqual(own.ran, [], 'none of the three ran');
      // The trap works: a script carrying the page's nonce does run and is caught.
      await other.evaluate(() => {
        const nonce = (document.querySelector('script[nonce]') as HTMLScriptElement).nonce;
        const allowed = document.createElement('script');
        allowed.nonce = nonce;
        allowed.textContent = 'window.__xss = "with the nonce"';
        document.body.append(allowed);
      });
      await settle(other);
      assert.equal(own.ran.length, 1, 'the control script ran and the trap reported it');
      assert.match(own.ran[0]!, /with the nonce/);
      assert.deepEqual(own.dialogs, []);
      await other.close();
    });
  });
});
