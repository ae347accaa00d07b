import { InvalidInput } from '../../errors/domain-error.js';
import type { FitOutcome, FitRequest } from '../fit-pipeline.js';
import { foldTemperature } from './fold-temperature.js';
import { heldOutSplit } from './held-out-split.js';
import { applyTemperature, fitTemperature } from './temperature.js';

/** Share of the train rows held out to fit the temperature on. */
export const CALIBRATION_SHARE = 0.15;
/** Fewer held-out rows than this give a temperature that is mostly noise. */
const MIN_HELD_OUT_ROWS = 10;

/**
 * `fit` (the pipeline) on ~85% of the train rows, then a temperature fitted on the other ~15%
 * (stratified, seeded), folded into the exported weights and applied to the test predictions. The
 * model itself sees fewer rows: that is the price of probabilities checked on rows it did not see.
 */
export function calibratedFit<Listener>(
  request: FitRequest,
  fit: (request: FitRequest, listener?: Listener) => FitOutcome,
  listener?: Listener,
): FitOutcome {
  const { calibrate: _calibrate, ...options } = request.options;
  const seed = typeof options.seed === 'number' ? options.seed : 42;
  const split = heldOutSplit(
    request.train.map((r) => r.label),
    CALIBRATION_SHARE,
    seed,
  );
  if (split.heldOut.length < MIN_HELD_OUT_ROWS)
    throw new InvalidInput(
      'training.too_few_to_calibrate',
      `Calibration holds out ${Math.round(CALIBRATION_SHARE * 100)}% of the train rows, which is ${split.heldOut.length} of ${request.train.length} here (at least ${MIN_HELD_OUT_ROWS} needed): label more train rows or train without calibration.`,
    );
  const heldOut = split.heldOut.map((i) => request.train[i]!);
  const outcome = fit(
    { ...request, options, train: split.fit.map((i) => request.train[i]!), test: [...heldOut, ...request.test] },
    listener,
  );
  const started = performance.now();
  const k = outcome.labels.length;
  const heldOutProbabilities = outcome.probabilities.subarray(0, heldOut.length * k);
  const fitted = fitTemperature(
    k,
    heldOut.map((r) => outcome.labels.indexOf(r.label)),
    heldOutProbabilities,
  );
  const report = {
    temperature: fitted.temperature,
    heldOut: {
      rows: heldOut.length,
      logLossBefore: fitted.logLossBefore,
      logLossAfter: fitted.logLossAfter,
      ...(fitted.kept ? { kept: fitted.kept } : {}),
    },
  };
  return {
    ...outcome,
    onnx: foldTemperature(outcome.onnx, fitted.temperature),
    probabilities: applyTemperature(outcome.probabilities.subarray(heldOut.length * k), k, fitted.temperature),
    hyperparameters: { ...outcome.hyperparameters, calibrate: true, calibration: report },
    timings: { ...outcome.timings, calibrateMs: performance.now() - started },
    temperature: fitted.temperature,
    heldOut: report.heldOut,
  };
}
