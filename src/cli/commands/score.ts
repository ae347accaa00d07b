import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { JOB_HANDLERS } from '../../jobs/handlers.js';
import { queueTiming, startQueue, stopQueue } from '../../jobs/queue.js';
import { startWorker } from '../../jobs/run-worker.js';
import { RecordFilter } from '../../records/record-selection.js';
import { queueScoring } from '../../scoring/queue-scoring.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const usage = `npm run cli -- score --model NAME [--alias ALIAS | --version N] [--split S] [--label L] [--tag T] [--text WORDS] [--no-wait]
  Scores the records of the model's dataset (or those matching the filters) with the version the alias
  points at (default production) or version N, as a job: each record gets the predicted label, the
  probabilities, the exact version and the time. Waits for the job and works on it here (another worker
  may share it); with --no-wait it only queues the job for the workers.`;

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Score records with a model version (batch job; resumable).',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        alias: { type: 'string' },
        version: { type: 'string' },
        split: { type: 'string' },
        label: { type: 'string' },
        tag: { type: 'string' },
        text: { type: 'string' },
        'no-wait': { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.model) throw new UsageError('--model is required.');
    const filter = RecordFilter.safeParse({
      split: values.split,
      label: values.label,
      tag: values.tag,
      text: values.text,
    });
    if (!filter.success)
      throw new UsageError(
        `Check the filters: ${filter.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}.`,
      );
    const filtered = Object.values(filter.data).some((v) => v !== undefined);
    return withDatabase(async ({ database, config }) => {
      await startQueue(database.ownerUrl, queueTiming(config));
      let job;
      try {
        const queued = await queueScoring(cliActor(), {
          model: values.model!,
          alias: values.alias,
          version: values.version,
          ...(filtered ? { selection: { filter: filter.data } } : {}),
        });
        job = queued.job;
        const { params, matching } = queued;
        console.log(
          `Queued job ${job.id}: score ${matching.toLocaleString('en')} records with ${params.model} v${params.version}${params.alias ? ` (${params.alias})` : ''}.`,
        );
        if (values['no-wait']) return 0;
        await startWorker({ score: JOB_HANDLERS.score }, { schedules: false });
        let shown = '';
        for (;;) {
          await job.reload();
          const line = `${job.status} ${Number(job.progressDone).toLocaleString('en')}/${Number(job.progressTotal ?? matching).toLocaleString('en')}`;
          if (line !== shown) console.log(line);
          shown = line;
          if (['succeeded', 'failed', 'cancelled'].includes(job.status)) break;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      } finally {
        await stopQueue();
      }
      if (job.status !== 'succeeded') {
        console.error(`Job ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}.`);
        return 1;
      }
      console.log(JSON.stringify(job.result, null, 2));
      return 0;
    });
  },
};
