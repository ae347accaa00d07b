import React from 'react';
import { Box, Label, Text } from '@adminjs/design-system';
import { Line } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { PERFECT_CALIBRATION, RELIABILITY_OPTIONS, reliabilityPoints } from './reliability-chart.js';
import type { VersionMetrics } from './metrics-types.js';
import { Headline } from './EvaluationView.js';

type Calibration = NonNullable<VersionMetrics['calibration']>;
const pct = (value: number) => `${Math.round(value * 100)} %`;

/**
 * Can the version's probabilities be taken at their word? Log loss, Brier, ECE, a sentence in plain
 * words, the reliability diagram (one point per confidence bin: how sure it said it was vs how often it
 * was right; the diagonal is perfect) and the temperature, if it was calibrated.
 */
export const CalibrationReport: React.FC<{ calibration: Calibration; rows?: number }> = ({ calibration, rows }) => {
  const { bins } = calibration;
  const busiest = bins.reduce<Calibration['bins'][number] | undefined>(
    (best, bin) => (best && best.count >= bin.count ? best : bin),
    undefined,
  );
  return (
    <Box mb="xl" data-testid="calibration-report">
      <Label>Calibration on {rows ?? bins.reduce((sum, b) => sum + b.count, 0)} test rows</Label>
      <Box flex flexDirection="row" style={{ gap: 32 }} mb="sm">
        <Headline title="Log loss" value={calibration.logLoss.toFixed(4)} />
        <Headline title="Brier score" value={calibration.brier.toFixed(4)} />
        <Headline title="ECE" value={calibration.ece.toFixed(4)} />
        {calibration.temperature !== undefined && (
          <Headline title="Temperature" value={calibration.temperature.toFixed(3)} />
        )}
      </Box>
      {busiest && (
        <Text mb="sm" data-testid="calibration-reading">
          When it says about {pct(busiest.confidence)} (as it does for {busiest.count} of the test rows), it is right{' '}
          {pct(busiest.accuracy)} of the time; on average its confidence is off by {(calibration.ece * 100).toFixed(1)}{' '}
          percentage points.
        </Text>
      )}
      {calibration.temperature !== undefined && calibration.heldOut && (
        <Text variant="sm" mb="sm" data-testid="calibration-temperature">
          {calibration.heldOut.kept
            ? `Temperature scaling kept T = 1 on ${calibration.heldOut.rows} held-out train rows: ${calibration.heldOut.kept}.`
            : `Temperature scaling: logits divided by ${calibration.temperature.toFixed(3)} (the raw model was ${
                calibration.temperature > 1 ? 'over' : 'under'
              }-confident), fitted on ${calibration.heldOut.rows} held-out train rows, whose log loss went from ${calibration.heldOut.logLossBefore.toFixed(4)} to ${calibration.heldOut.logLossAfter.toFixed(4)}.`}
        </Text>
      )}
      <Text variant="sm" color="grey60" mb="sm">
        Log loss and Brier score: lower is better (Brier is Σ over labels of (p − actual)², averaged over rows). ECE:
        the gap between confidence and accuracy, averaged over 15 confidence bins weighted by their rows.
      </Text>
      <Text fontWeight="bold" mb="sm">
        Reliability diagram
      </Text>
      <Box style={{ width: 420, height: 320 }}>
        <Line
          data={{
            datasets: [
              PERFECT_CALIBRATION,
              {
                label: 'This version',
                data: reliabilityPoints(bins),
                borderColor: PALETTE[0],
                backgroundColor: PALETTE[0],
                pointRadius: bins.map((b) => 3 + Math.min(6, Math.sqrt(b.count))),
                clip: false,
              },
            ],
          }}
          options={{
            ...RELIABILITY_OPTIONS,
            plugins: {
              tooltip: {
                filter: (item) => item.datasetIndex === 1,
                callbacks: {
                  label: (item) => {
                    const bin = bins[item.dataIndex]!;
                    return `${bin.count} rows with confidence ${pct(bin.from)}–${pct(bin.to)}: said ${pct(bin.confidence)} on average, right ${pct(bin.accuracy)}`;
                  },
                },
              },
            },
          }}
        />
      </Box>
    </Box>
  );
};
