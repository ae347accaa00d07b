import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Text } from '@adminjs/design-system';
import { PredictionsPerDay } from './ActivityCharts.js';
import ModelChartsView from './ModelChartsView.js';
import type { Cached } from '../../src/charts/chart-cache.js';
import type { DailyPredictions } from '../../src/charts/activity-charts.js';
import type { ModelCharts as Charts } from '../../src/charts/model-charts.js';

const api = new ApiClient();

interface Data {
  charts: Charts;
  predictions: Cached<DailyPredictions[]>;
}

/** The "Charts" action of a model; the score distribution's version can be picked. */
const ModelCharts: React.FC<ActionProps> = ({ record, resource }) => {
  const [data, setData] = useState<Data | null>(null);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!record) return;
    api
      .recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: 'charts',
        params: version === undefined ? {} : { version },
      })
      .then((response) => {
        const body = response.data as unknown as Partial<Data> & { notice?: { message: string } };
        if (body.charts && body.predictions) setData({ charts: body.charts, predictions: body.predictions });
        else setError(body.notice?.message ?? 'Could not load the charts. Reload the page.');
      })
      .catch(() => setError('Could not load the charts. Reload the page; if it persists, check the server log.'));
  }, [record?.id, version]);
  if (error) return <Text color="error">{error}</Text>;
  if (!data) return <Text>Loading…</Text>;
  return (
    <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }} data-testid="model-charts">
      <ModelChartsView charts={data.charts} onVersion={setVersion} />
      <PredictionsPerDay data={data.predictions} scope={`model ${data.charts.name}`} />
    </Box>
  );
};

export default ModelCharts;
