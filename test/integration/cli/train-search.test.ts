import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ModelVersion } from '../../../models/index.js';
import { C_GRID, FOLDS } from '../../../src/ml/search/cross-validate.js';
import type { SearchReport } from '../../../src/ml/search/search-report.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { MAIN, TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

describe('cli train --search (real Postgres, the CLI as a process)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [MAIN, 'train', ...args], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });

  before(useTestDatabase);

  it('chooses C by 5-fold cross-validation, says which, and stores the search with the version', async function () {
    this.timeout(180_000);
    const model = await createPenguinModel('cli-search');
    const run = cli('--model', model.name, '--search');
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Registered .* v1 /);
    assert.match(
      run.stdout,
      new RegExp(
        `Chosen by 5-fold cross-validation of ${C_GRID.length} candidates: C = [\\d.]+ \\(mean held-out log loss \\d\\.\\d{4}\\)\\.`,
      ),
    );
    const version = (await ModelVersion.findOne({ where: { modelId: model.id } }))!;
    const search = version.hyperparameters.search as SearchReport;
    assert.equal(search.candidates.length, C_GRID.length);
    assert.ok(search.candidates.every((c) => c.foldLogLoss.length === FOLDS));
  });

  it('explains --search with --l2, and lists --search in its help', async function () {
    this.timeout(60_000);
    const model = await createPenguinModel('cli-search-l2');
    const both = cli('--model', model.name, '--search', '--l2', '0.01');
    assert.equal(both.status, 1);
    assert.match(both.stderr, /either an L2 strength or the cross-validation search, not both/);
    const help = cli('--help');
    assert.match(help.stdout + help.stderr, /--search/);
    assert.match(help.stdout + help.stderr, /5-fold cross-validation/);
  });
});
