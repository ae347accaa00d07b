import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ModelVersion } from '../../../models/index.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { MAIN, TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';

describe('cli train --calibrate (real Postgres, the CLI as a process)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [MAIN, 'train', ...args], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });

  before(useTestDatabase);

  it('fits a temperature on held-out train rows, prints the calibration and stores it with the version', async function () {
    this.timeout(120_000);
    const model = await createPenguinModel('cli-calibrate');
    const run = cli('--model', model.name, '--calibrate');
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Registered .* v1 /);
    assert.match(
      run.stdout,
      /Calibration on the test rows: log loss \d\.\d{4}, Brier \d\.\d{4}, ECE \d\.\d{4}\. Temperature (\d+\.\d{3} fitted|kept at 1) on \d+ held-out train rows/,
    );
    const version = (await ModelVersion.findOne({ where: { modelId: model.id } }))!;
    assert.equal((version.hyperparameters as { calibrate?: boolean }).calibrate, true);
    const help = cli('--help');
    assert.match(help.stdout + help.stderr, /--calibrate/);
  });
});
