import React from 'react';
import { flat, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';
import { EvaluationView } from './EvaluationView.js';
import type { VersionMetrics as Metrics } from './metrics-types.js';

/** A model version's evaluation, readable: headline numbers, per-class table, confusion matrix, ROC. */
const VersionMetrics: React.FC<ShowPropertyProps> = ({ record, property }) => {
  const metrics = flat.unflatten<unknown, Record<string, unknown>>(record.params)[property.path] as Metrics | undefined;
  if (!metrics || metrics.rows === 0 || !metrics.labels) {
    return (
      <Box mb="xl">
        <Label>Metrics</Label>
        <Text>{metrics?.note ?? 'Not evaluated (no labelled test rows).'}</Text>
      </Box>
    );
  }
  return <EvaluationView metrics={{ ...metrics, labels: metrics.labels }} />;
};

export default VersionMetrics;
