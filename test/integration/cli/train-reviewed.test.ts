import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DataRecord, ModelVersion } from '../../../models/index.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { testDatabaseUrl } from '../../setup/hooks.js';
import { MAIN, TEST_SESSION_SECRET } from '../../support/cli-process.js';
import { useTestDatabase } from '../../support/database.js';
import { createPenguinModel } from '../../support/penguin-model.js';
import { insertReviewQueue } from '../../support/reviewed-labels.js';

describe('cli train --reviewed-since DATE|version (real Postgres, the CLI as a process)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [MAIN, 'train', ...args], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });

  before(useTestDatabase);

  it('retrains with the records reviewed since the latest version and prints what it learned from and its held-out numbers', async function () {
    this.timeout(120_000);
    const model = await createPenguinModel('cli-reviewed');
    const v1 = (await trainModel({ type: 'system' }, { model: model.name, maxIterations: 20 })).version;
    const train = await DataRecord.findAll({
      where: { datasetId: model.datasetId, split: 'train' },
      order: [['id', 'ASC']],
    });
    const reviewed = train.filter((r, i) => i % 2 === 0 && r.label !== null);
    await insertReviewQueue(
      model.datasetId,
      v1.id,
      reviewed.map((r) => ({ recordId: r.id, label: r.label!, labelledAt: new Date(v1.createdAt.getTime() + 1) })),
    );

    const run = cli('--model', model.name, '--reviewed-since', 'version', '--max-iterations', '50');
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const version = (await ModelVersion.findOne({ where: { modelId: model.id, version: 2 } }))!;
    const report = (version.metrics as { reviewed: { learnedFrom: number; heldOut: number } }).reviewed;
    assert.equal(report.learnedFrom + report.heldOut, reviewed.length);
    assert.match(
      run.stdout,
      new RegExp(
        `Learned from ${report.learnedFrom} reviewed record\\(s\\) labelled through a review queue since v1 was created \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\); on ${report.heldOut} held-out reviewed record\\(s\\), never trained on: accuracy \\d+\\.\\d%, macro F1 \\d\\.\\d{3}, log loss \\d\\.\\d{4}`,
      ),
    );

    const dated = cli('--model', model.name, '--reviewed-since', '2020-01-01', '--max-iterations', '5');
    assert.equal(dated.status, 0, dated.stderr + dated.stdout);
    assert.match(dated.stdout, /labelled through a review queue since 2020-01-01 00:00 UTC/);

    const nothing = cli('--model', model.name, '--reviewed-since', '2999-01-01');
    assert.equal(nothing.status, 1);
    assert.match(
      nothing.stderr + nothing.stdout,
      /No record of dataset ".+" was labelled through a review queue since 2999-01-01 00:00 UTC: label records in a review queue first/,
    );
    const help = cli('--help');
    assert.match(help.stdout + help.stderr, /--reviewed-since DATE\|version/);
  });
});
