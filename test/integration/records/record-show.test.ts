import assert from 'node:assert/strict';
import { DataRecord, Dataset, MlModel } from '../../../models/index.js';
import { startWorker, stopWorker } from '../../../src/jobs/run-worker.js';
import { trainModel } from '../../../src/ml/train-model.js';
import { promoteAlias } from '../../../src/registry/promote-alias.js';
import { queueScoring } from '../../../src/scoring/queue-scoring.js';
import { insertDataset } from '../../../seeders/insert-dataset.js';
import { unique } from '../../support/database.js';
import {
  createTestUser,
  HttpSession,
  startConsoleServer,
  TEST_PASSWORD,
  type RunningConsole,
} from '../../support/console-server.js';
import { waitForJob } from '../../support/jobs.js';

describe("a record's page shows its prediction whatever its labels contain (real Postgres)", () => {
  let server: RunningConsole;
  after(async () => {
    await stopWorker();
    await server?.stop();
  });

  it('keeps labels with dots, spaces and brackets whole in the probabilities (AdminJS splits keys on ".")', async function () {
    this.timeout(120_000);
    server = await startConsoleServer();
    await startWorker();
    const labels = ['v1.2', 'v2.0 [beta]'];
    const name = unique('dotted');
    const rows = Array.from({ length: 40 }, (_, i) => ({
      text: null,
      features: { x: i % 2 === 0 ? i / 10 : -i / 10 },
      label: labels[i % 2]!,
      split: i < 30 ? ('train' as const) : ('test' as const),
      tags: [],
      source: 'test',
    }));
    await insertDataset(
      { type: 'system' },
      {
        name,
        task: 'tabular-classification',
        labels,
        featureSchema: [{ name: 'x', type: 'number' }],
        description: null,
        source: null,
        license: null,
      },
      rows,
    );
    const dataset = (await Dataset.findOne({ where: { name } }))!;
    const model = await MlModel.create({
      name: unique('dotted-model'),
      datasetId: dataset.id,
      task: 'tabular-classification',
      description: null,
      createdById: null,
    });
    const system = { type: 'system' } as const;
    const { version } = await trainModel(system, { model: model.name, maxIterations: 20 });
    await promoteAlias(system, { versionId: version.id, alias: 'production' });
    const { job } = await queueScoring(system, { model: model.name });
    assert.equal((await waitForJob(job.id)).status, 'succeeded');

    const record = (await DataRecord.findOne({ where: { datasetId: dataset.id }, order: [['id', 'ASC']] }))!;
    const user = await createTestUser('data_scientist');
    const http = new HttpSession(server.baseUrl);
    await http.login(user.email, TEST_PASSWORD);
    const shown = (await (await http.api(`/resources/records/records/${record.id}/show`)).json()) as {
      record: { params: Record<string, unknown> };
    };
    const params = shown.record.params;
    assert.deepEqual([params['probabilities.0.label'], params['probabilities.1.label']], labels);
    const sum = Number(params['probabilities.0.probability']) + Number(params['probabilities.1.probability']);
    assert.ok(Math.abs(sum - 1) < 1e-5, `probabilities add up to 1 (${sum})`);
    assert.ok(labels.includes(String(params.predictedLabel)));
  });
});
