import React from 'react';
import { Box, Table, TableBody, TableCell, TableHead, TableRow } from '@adminjs/design-system';
import { Empty, Panel } from './ChartPanel.js';
import { Bar, Line } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import type {
  JobOutcome,
  PredictionPoint,
  RequestPoint,
  VersionLatency,
} from '../../src/monitoring/dashboard-series.js';

export interface ChartsData {
  requests: RequestPoint[];
  inference: { points: PredictionPoint[]; latency: VersionLatency[] };
  jobs: JobOutcome[] | null;
  jobsScope: 'all' | 'own';
}

const STATUS_COLOURS: Record<string, string> = {
  succeeded: '#2E9E5B',
  failed: '#C0392B',
  cancelled: '#6C757D',
  running: '#3040D6',
  queued: '#B8860B',
};
const time = (iso: string) => new Date(iso).toISOString().slice(11, 16);
const ms = (value: number | null) =>
  value === null ? '—' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;

/** The dashboard's operations charts: traffic and errors, predictions and latency per version, job outcomes. */
const OperationsCharts: React.FC<{ data: ChartsData }> = ({ data }) => {
  const versions = [...new Set(data.inference.points.map((p) => p.version))].slice(0, PALETTE.length);
  const hours = [...new Set(data.inference.points.map((p) => p.at))].sort();
  const days = [...new Set((data.jobs ?? []).map((j) => j.day))].sort();
  const statuses = [...new Set((data.jobs ?? []).map((j) => j.status))];
  return (
    <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }} data-testid="operations-charts">
      <Panel
        title="Requests and errors (24 h)"
        help="All web processes, per 10 minutes: requests, and server errors (HTTP 5xx) with their rate."
        testId="chart-requests"
      >
        {data.requests.length === 0 ? (
          <Empty>No requests recorded in the last 24 hours.</Empty>
        ) : (
          <Line
            data={{
              labels: data.requests.map((p) => time(p.at)),
              datasets: [
                {
                  label: 'requests',
                  data: data.requests.map((p) => p.requests),
                  borderColor: PALETTE[0],
                  backgroundColor: PALETTE[0],
                  yAxisID: 'y',
                },
                {
                  label: 'error rate %',
                  data: data.requests.map((p) => (p.requests ? (100 * p.errors) / p.requests : 0)),
                  borderColor: '#C0392B',
                  backgroundColor: '#C0392B',
                  yAxisID: 'rate',
                },
              ],
            }}
            options={{
              animation: false,
              scales: {
                y: { beginAtZero: true, title: { display: true, text: 'requests' } },
                rate: {
                  position: 'right',
                  beginAtZero: true,
                  suggestedMax: 5,
                  title: { display: true, text: 'errors %' },
                },
              },
            }}
          />
        )}
      </Panel>
      <Panel
        title="Predictions per model version (24 h)"
        help="Instances predicted per hour through the inference API, per model version."
        testId="chart-predictions"
      >
        {versions.length === 0 ? (
          <Empty>No predictions in the last 24 hours.</Empty>
        ) : (
          <Line
            data={{
              labels: hours.map(time),
              datasets: versions.map((version, i) => ({
                label: version,
                data: hours.map(
                  (at) => data.inference.points.find((p) => p.at === at && p.version === version)?.predictions ?? 0,
                ),
                borderColor: PALETTE[i],
                backgroundColor: PALETTE[i],
              })),
            }}
            options={{ animation: false, scales: { y: { beginAtZero: true } } }}
          />
        )}
      </Panel>
      <Panel
        title="Latency per model version (24 h)"
        help="Inference latency percentiles from the stored histograms (p50: half the calls were faster; p99: all but 1 in 100)."
        testId="chart-latency"
      >
        {data.inference.latency.length === 0 ? (
          <Empty>No predictions in the last 24 hours.</Empty>
        ) : (
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Version</TableCell>
                <TableCell>Predictions</TableCell>
                <TableCell>Errors</TableCell>
                <TableCell>p50</TableCell>
                <TableCell>p99</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.inference.latency.map((v) => (
                <TableRow key={v.version}>
                  <TableCell>{v.version}</TableCell>
                  <TableCell>{v.predictions.toLocaleString()}</TableCell>
                  <TableCell>{v.errors.toLocaleString()}</TableCell>
                  <TableCell>{ms(v.p50Ms)}</TableCell>
                  <TableCell>{ms(v.p99Ms)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Panel>
      {data.jobs ? (
        <Panel
          title={`Job outcomes (14 days${data.jobsScope === 'own' ? ', your jobs' : ''})`}
          help="Finished background jobs per day: training, scoring, imports and exports."
          testId="chart-jobs"
        >
          {days.length === 0 ? (
            <Empty>No jobs finished in the last 14 days.</Empty>
          ) : (
            <Bar
              data={{
                labels: days,
                datasets: statuses.map((status) => ({
                  label: status,
                  data: days.map((day) => data.jobs!.find((j) => j.day === day && j.status === status)?.jobs ?? 0),
                  backgroundColor: STATUS_COLOURS[status] ?? '#999',
                })),
              }}
              options={{ animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }}
            />
          )}
        </Panel>
      ) : null}
    </Box>
  );
};

export default OperationsCharts;
