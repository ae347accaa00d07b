import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { trainModel } from '../../ml/train-model.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const usage = `npm run cli -- train --model NAME [--l2 X] [--learning-rate X] [--max-epochs N] [--min-df N] [--max-features N]
  Trains a new version of the model on its dataset's labelled train rows and evaluates it on the test rows.`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a new version of a model and register it with its metrics.',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        l2: { type: 'string' },
        'learning-rate': { type: 'string' },
        'max-epochs': { type: 'string' },
        'min-df': { type: 'string' },
        'max-features': { type: 'string' },
      },
      strict: true,
    });
    if (!values.model) throw new UsageError('--model is required.');
    return withDatabase(async () => {
      const result = await trainModel(cliActor(), {
        model: values.model!,
        l2: values.l2,
        learningRate: values['learning-rate'],
        maxEpochs: values['max-epochs'],
        minDf: values['min-df'],
        maxFeatures: values['max-features'],
      });
      const accuracy = result.accuracy === null ? 'n/a' : `${(result.accuracy * 100).toFixed(1)}%`;
      console.log(`Registered ${values.model} v${result.version.version} (${result.version.sizeBytes} bytes, sha256 ${result.version.sha256.slice(0, 12)}…): trained on ${result.trainingRows} rows, test accuracy ${accuracy} on ${result.testRows} rows.`);
      return 0;
    });
  },
};
