import type { CalibrationMetrics } from './calibration-metrics.js';

/** The calibration of a version in one or two sentences, as `cli train` prints it. */
export function describeCalibration(calibration: CalibrationMetrics): string {
  const numbers = `Calibration on the test rows: log loss ${calibration.logLoss.toFixed(4)}, Brier ${calibration.brier.toFixed(4)}, ECE ${calibration.ece.toFixed(4)}.`;
  const { temperature, heldOut } = calibration;
  if (temperature === undefined || !heldOut) return numbers;
  if (heldOut.kept) return `${numbers} Temperature kept at 1 on ${heldOut.rows} held-out train rows: ${heldOut.kept}.`;
  return `${numbers} Temperature ${temperature.toFixed(3)} fitted on ${heldOut.rows} held-out train rows (their log loss ${heldOut.logLossBefore.toFixed(4)} → ${heldOut.logLossAfter.toFixed(4)}).`;
}
