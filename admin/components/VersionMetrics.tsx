import React from 'react';
import { flat, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';
import { CalibrationReport } from './CalibrationReport.js';
import { ConvergenceNote } from './ConvergenceNote.js';
import { EvaluationView } from './EvaluationView.js';
import { ReviewedReport } from './ReviewedReport.js';
import type { VersionMetrics as Metrics } from './metrics-types.js';

/** A model version's evaluation, readable: how the fit ended, headline numbers, per-class table, confusion matrix, ROC, calibration, reviewed records. */
const VersionMetrics: React.FC<ShowPropertyProps> = ({ record, property }) => {
  const metrics = flat.unflatten<unknown, Record<string, unknown>>(record.params)[property.path] as Metrics | undefined;
  if (!metrics || metrics.rows === 0 || !metrics.labels) {
    return (
      <Box mb="xl">
        {metrics && <ConvergenceNote metrics={metrics} />}
        <Label>Metrics</Label>
        <Text>{metrics?.note ?? 'Not evaluated (no labelled test rows).'}</Text>
        {metrics?.reviewed && <ReviewedReport reviewed={metrics.reviewed} />}
      </Box>
    );
  }
  return (
    <>
      <ConvergenceNote metrics={metrics} />
      <EvaluationView metrics={{ ...metrics, labels: metrics.labels }} />
      {metrics.calibration && <CalibrationReport calibration={metrics.calibration} rows={metrics.rows} />}
      {metrics.reviewed && <ReviewedReport reviewed={metrics.reviewed} testAccuracy={metrics.accuracy} />}
    </>
  );
};

export default VersionMetrics;
