import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DataRecord, Dataset } from '../../models/index.js';
import { projectRoot } from '../../src/platform/project-root.js';
import { launchChromium, signInByPost } from '../support/browser.js';
import { createTestUser, startConsoleServer, TEST_PASSWORD, type RunningConsole } from '../support/console-server.js';
import { unique } from '../support/database.js';
import { createPenguinModel } from '../support/penguin-model.js';

const ARTEFACTS = path.join(projectRoot, 'test-artefacts');

/**
 * A record's edit form in Chromium: each role sees as editable only the fields it may change (the
 * same rule the service enforces), and a refusal appears beside the field with the typed values kept.
 * Screenshots (1440×900) go to test-artefacts/ for a person to look at.
 */
describe('the record edit form follows the role (Chromium)', () => {
  let server: RunningConsole;
  let browser: Browser;
  let recordId: number;

  before(async () => {
    server = await startConsoleServer();
    browser = await launchChromium();
    const { datasetId } = await createPenguinModel('edit-form');
    recordId = (await DataRecord.findOne({ where: { datasetId }, order: [['id', 'ASC']] }))!.id;
    fs.mkdirSync(ARTEFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function editPage(role: 'data_scientist' | 'content_manager'): Promise<{ page: Page; errors: string[] }> {
    const user = await createTestUser(role);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/records/records/${recordId}/edit`);
    await page.waitForSelector('[data-testid="button-save"]');
    return { page, errors };
  }
  const shown = (page: Page, property: string) => page.locator(`[data-testid="property-edit-${property}"]`).count();
  const readOnly = (page: Page, property: string) =>
    page.locator(`[data-testid="property-readonly-${property}"]`).count();
  const labelChoices = (page: Page) =>
    page.$$eval('[data-testid="property-edit-label"] select option', (options) =>
      options.map((o) => (o as HTMLOptionElement).value),
    );

  it("shows a data scientist the label as a choice of the dataset's labels, every other field read-only, and saves a relabel", async () => {
    const { page, errors } = await editPage('data_scientist');
    assert.equal(await shown(page, 'label'), 1);
    for (const field of ['datasetId', 'text', 'features', 'split', 'tags', 'source']) {
      assert.equal(await shown(page, field), 0, `${field} is not editable by a data scientist`);
      assert.equal(await readOnly(page, field), 1, `${field} is shown read-only to a data scientist`);
    }
    // The features the scientist is labelling are on the form, as values, not inputs.
    assert.match(await page.getByTestId('property-readonly-features').innerText(), /body_mass_g/);
    assert.equal(await page.locator('[data-testid="property-readonly-features"] input').count(), 0);
    assert.match(
      (await page.textContent('form')) ?? '',
      /Your role \(data scientist\) may change only the label of a record; its other fields are shown read-only\. To change those, ask a content manager or an admin\./,
    );
    assert.deepEqual(await labelChoices(page), ['', 'Adelie', 'Chinstrap', 'Gentoo']);
    await page.screenshot({ path: path.join(ARTEFACTS, 'record-edit-data-scientist.png') });
    await page.selectOption('[data-testid="property-edit-label"] select', 'Gentoo');
    await page.click('[data-testid="button-save"]');
    await page.waitForURL(new RegExp(`/records/${recordId}/show`));
    assert.equal((await DataRecord.findByPk(recordId))!.label, 'Gentoo');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a content manager every field, and a wrong feature value beside the features, keeping what was typed', async () => {
    const { page, errors } = await editPage('content_manager');
    await page.screenshot({ path: path.join(ARTEFACTS, 'record-edit-content-manager.png') });
    for (const field of ['datasetId', 'text', 'label', 'split', 'tags', 'source'])
      assert.equal(await shown(page, field), 1, `${field} is editable by a content manager`);
    assert.equal(await page.locator('[data-testid^="property-readonly-"]').count(), 0);
    assert.deepEqual(await labelChoices(page), ['', 'Adelie', 'Chinstrap', 'Gentoo']);
    const before = (await DataRecord.findByPk(recordId))!.features as Record<string, unknown>;
    // The features' key-value editor: a row per feature, its name and its value.
    const massName = page.locator('input[value="body_mass_g"]');
    await page.locator(`input[value="${String(before.body_mass_g)}"]`).fill('abc');
    await page.fill('[data-testid="property-edit-source"] input', 'typed by the manager');
    await page.click('[data-testid="button-save"]');
    const message = page.getByText('must be a finite number, got "abc"', { exact: true });
    await message.waitFor();
    const [nameBox, messageBox] = [await massName.boundingBox(), await message.boundingBox()];
    assert.ok(
      nameBox && messageBox && Math.abs(messageBox.y - nameBox.y) < 80,
      `the message is beside the body_mass_g row (${JSON.stringify([nameBox, messageBox])})`,
    );
    await page.locator('input[value="island"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTEFACTS, 'record-edit-content-manager-error.png') });
    assert.equal(
      await page.inputValue('[data-testid="property-edit-source"] input'),
      'typed by the manager',
      'the typed values stay in the form',
    );
    assert.deepEqual((await DataRecord.findByPk(recordId))!.features, before, 'nothing stored');
    assert.deepEqual(errors, []);
    await page.close();
  });
  it('creates a record whose label choices follow the dataset picked first', async () => {
    const dataset = await Dataset.create({
      name: unique('new-form'),
      task: 'text-classification',
      labels: ['ham', 'spam'],
      description: null,
      source: null,
      license: null,
    });
    const user = await createTestUser('content_manager');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signInByPost(page, server.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${server.baseUrl}/admin/resources/records/actions/new`);
    await page.getByTestId('label-needs-dataset').waitFor();
    await page.locator('[data-testid="property-edit-datasetId"] input').fill(dataset.name);
    await page.getByText(dataset.name, { exact: true }).last().click();
    await page.waitForSelector('[data-testid="property-edit-label"] select');
    assert.deepEqual(await labelChoices(page), ['', 'ham', 'spam']);
    await page.fill('textarea[name="text"]', 'cheap watches, click now');
    await page.selectOption('[data-testid="property-edit-label"] select', 'spam');
    await page.click('[data-testid="button-save"]');
    await page.waitForURL(/\/records\/records\/\d+\/show/);
    const created = await DataRecord.findOne({ where: { datasetId: dataset.id } });
    assert.equal(created?.label, 'spam');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
