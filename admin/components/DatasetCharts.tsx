import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Text } from '@adminjs/design-system';
import DatasetChartsView from './DatasetChartsView.js';
import type { DatasetCharts as Charts } from '../../src/charts/dataset-charts.js';

const api = new ApiClient();

/** The "Charts" action of a dataset. */
const DatasetCharts: React.FC<ActionProps> = ({ record, resource }) => {
  const [charts, setCharts] = useState<Charts | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!record) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'charts' })
      .then((response) => {
        const data = response.data as unknown as { charts?: Charts; notice?: { message: string } };
        if (data.charts) setCharts(data.charts);
        else setError(data.notice?.message ?? 'Could not load the charts. Reload the page.');
      })
      .catch(() => setError('Could not load the charts. Reload the page; if it persists, check the server log.'));
  }, [record?.id]);
  if (error) return <Text color="error">{error}</Text>;
  if (!charts) return <Text>Loading…</Text>;
  return (
    <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }} data-testid="dataset-charts">
      <DatasetChartsView charts={charts} />
    </Box>
  );
};

export default DatasetCharts;
