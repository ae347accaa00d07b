import { parseArgs } from 'node:util';
import { cliActor } from '../../access/actor.js';
import { describeParams, sameParams, type SearchReport } from '../../ml/search/search-report.js';
import type { CalibrationMetrics } from '../../ml/calibration/calibration-metrics.js';
import { describeCalibration } from '../../ml/calibration/describe-calibration.js';
import { describeReviewed } from '../../ml/reviewed/reviewed-report.js';
import { trainModel } from '../../ml/train-model.js';
import { notConvergedWarning, unconvergedFit } from '../../ml/training-convergence.js';
import { UsageError, type Command } from '../command.js';
import { withDatabase } from '../open-database.js';

const usage = `npm run cli -- train --model NAME [--l2 X] [--max-iterations N] [--min-df N] [--max-features N]
                           [--tag TAG] [--edited-since DATE] [--reviewed-since DATE|version]
                           [--auto-promote] [--search] [--calibrate]
  Trains a new version of the model on its dataset's labelled train rows (only those tagged TAG and/or
  edited since DATE, if given) and evaluates it on the test rows.
  With --reviewed-since, train rows labelled through a review queue of the dataset since DATE (or, with
  "version", since the model's latest version was created) are trained on, whatever the other filters
  say, except a held-out 20% (by record id) that the new version is evaluated on and reported. With --auto-promote, the version
  replaces production if it beats it by the model's margin on its auto-promote metric.
  With --search, L2 (and, for text, --min-df and --max-features unless given) is first chosen by
  stratified 5-fold cross-validation on the train rows (lowest held-out log loss; slower: about 45
  fits for a tabular model, 95 for text); do not give --l2 with it.
  With --calibrate, 15% of the train rows are held out to fit a temperature that makes the
  probabilities match how often the model is right (temperature scaling; the labels it predicts do
  not change).`;

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
        'max-iterations': { type: 'string' },
        // Former options, still accepted: --max-epochs is --max-iterations; --learning-rate is ignored.
        'max-epochs': { type: 'string' },
        'learning-rate': { type: 'string' },
        'min-df': { type: 'string' },
        'max-features': { type: 'string' },
        tag: { type: 'string' },
        'edited-since': { type: 'string' },
        'reviewed-since': { type: 'string' },
        'auto-promote': { type: 'boolean' },
        search: { type: 'boolean' },
        calibrate: { type: 'boolean' },
      },
      strict: true,
    });
    if (!values.model) throw new UsageError('--model is required.');
    return withDatabase(async () => {
      const result = await trainModel(cliActor(), {
        model: values.model!,
        l2: values.l2,
        maxIterations: values['max-iterations'] ?? values['max-epochs'],
        minDf: values['min-df'],
        maxFeatures: values['max-features'],
        tag: values.tag,
        editedSince: values['edited-since'],
        ...reviewedSince(values['reviewed-since']),
        autoPromote: values['auto-promote'],
        search: values.search,
        calibrate: values.calibrate,
      });
      const accuracy = result.accuracy === null ? 'n/a' : `${(result.accuracy * 100).toFixed(1)}%`;
      console.log(
        `Registered ${values.model} v${result.version.version} (${result.version.sizeBytes} bytes, sha256 ${result.version.sha256.slice(0, 12)}…): trained on ${result.trainingRows} rows, test accuracy ${accuracy} on ${result.testRows} rows.`,
      );
      const search = result.version.hyperparameters.search as SearchReport | undefined;
      if (search) {
        const best = search.candidates.find((c) => sameParams(c.params, search.chosen));
        console.log(
          `Chosen by ${search.folds}-fold cross-validation of ${search.candidates.length} candidates: ${describeParams(search.chosen)}${best ? ` (mean held-out log loss ${best.meanLogLoss.toFixed(4)})` : ''}.`,
        );
      }
      const { calibration } = result.version.metrics as { calibration?: CalibrationMetrics };
      if (calibration) console.log(describeCalibration(calibration));
      if (result.reviewed) console.log(describeReviewed(result.reviewed));
      const unconverged = unconvergedFit(result.version.metrics);
      if (unconverged) console.log(`Warning: ${notConvergedWarning(unconverged)}`);
      if (result.promotion)
        console.log(
          `${result.promotion.promoted ? 'Promoted to production' : 'Not promoted'}: ${result.promotion.reason}`,
        );
      return 0;
    });
  },
};

/** `--reviewed-since version` counts from the latest version; anything else is a date (checked by the service). */
function reviewedSince(given: string | undefined): { reviewedSince?: string; reviewedSinceVersion?: boolean } {
  if (given === undefined) return {};
  return given.trim().toLowerCase() === 'version' ? { reviewedSinceVersion: true } : { reviewedSince: given };
}
