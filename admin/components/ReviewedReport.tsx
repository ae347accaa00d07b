import React from 'react';
import { Box, Label, Text } from '@adminjs/design-system';
import { describeSince, type ReviewedReport as Report } from '../../src/ml/reviewed/reviewed-report.js';
import { Headline } from './EvaluationView.js';
import { percent } from './metrics-types.js';

/**
 * A version retrained with reviewed records: how many records labelled through a review queue it
 * learned from, and its numbers on the reviewed records held out of its training (the same records in
 * every such retraining, so two versions' numbers compare), next to its test accuracy.
 */
export const ReviewedReport: React.FC<{ reviewed: Report; testAccuracy?: number }> = ({ reviewed, testAccuracy }) => {
  const m = reviewed.metrics;
  return (
    <Box mb="xl" data-testid="reviewed-report">
      <Label>Reviewed records</Label>
      <Text mb="sm" data-testid="reviewed-summary">
        Learned from {reviewed.learnedFrom} reviewed record(s) labelled through a review queue {describeSince(reviewed)}
        {m
          ? `; on ${m.rows} held-out reviewed record(s), never trained on:`
          : `; ${reviewed.heldOut} held out: ${reviewed.note ?? 'no numbers'}.`}
      </Text>
      {m && (
        <>
          <Box flex flexDirection="row" style={{ gap: 32 }} mb="sm" data-testid="reviewed-metrics">
            <Headline title="Accuracy" value={percent(m.accuracy)} />
            <Headline title="Macro F1" value={m.macroF1.toFixed(3)} />
            <Headline title="Log loss" value={m.calibration.logLoss.toFixed(4)} />
            <Headline title="Brier score" value={m.calibration.brier.toFixed(4)} />
            <Headline title="ECE" value={m.calibration.ece.toFixed(4)} />
          </Box>
          {reviewed.note && (
            <Text variant="sm" mb="sm">
              {reviewed.note}.
            </Text>
          )}
          <Text variant="sm" color="grey60">
            Reviewed records are mostly ones a model was unsure of or got wrong, so expect lower numbers than on the
            test split{testAccuracy === undefined ? '' : ` (accuracy ${percent(testAccuracy)})`}. The held-out 20% is
            chosen by record id: the same records are held out in every retraining with reviewed records.
          </Text>
        </>
      )}
    </Box>
  );
};
