import React from 'react';
import { Link, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Bar } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { AsOf, Empty, formatCount, Panel } from './ChartPanel.js';
import type { DatasetCharts } from '../../src/charts/dataset-charts.js';

const SPLIT_COLOURS: Record<string, string> = { train: PALETTE[0]!, test: PALETTE[1]!, holdout: PALETTE[2]! };
const UNLABELLED = '(unlabelled)';

/** A dataset's charts: label distribution per split, records edited per day, the latest changes. */
const DatasetChartsView: React.FC<{ charts: DatasetCharts }> = ({ charts }) => {
  const counts = charts.bySplit.value;
  const seen = [...new Set(counts.map((c) => c.label ?? UNLABELLED))];
  const labels = [...charts.labels.filter((l) => seen.includes(l)), ...seen.filter((l) => !charts.labels.includes(l))];
  const splits = [...new Set(counts.map((c) => c.split))];
  const total = counts.reduce((a, c) => a + c.records, 0);
  const records = `/admin/resources/records?filters.datasetId=${charts.datasetId}`;
  return (
    <>
      <Panel
        title={`Labels by split — ${charts.name}`}
        help="Live records per human label, stacked by split (train, test, holdout). Soft-deleted records are left out."
        testId="chart-labels-by-split"
      >
        {total === 0 ? (
          <Empty>This dataset has no records yet: import a CSV or create records.</Empty>
        ) : (
          <Bar
            data={{
              labels,
              datasets: splits.map((split) => ({
                label: split,
                data: labels.map(
                  (label) => counts.find((c) => (c.label ?? UNLABELLED) === label && c.split === split)?.records ?? 0,
                ),
                backgroundColor: SPLIT_COLOURS[split] ?? '#999',
              })),
            }}
            options={{
              animation: false,
              scales: {
                x: { stacked: true },
                y: { stacked: true, beginAtZero: true, title: { display: true, text: 'records' } },
              },
            }}
          />
        )}
        <Text variant="sm" mt="sm">
          {formatCount(total)} live records · <Link href={records}>open them in the list</Link>
        </Text>
        <AsOf {...charts.bySplit} />
      </Panel>
      <Panel
        title="Records edited per day (14 days)"
        help="Records changed after they were created (console, bulk edit, import, API), counted on the day of their last change. New records show in the imports and the list."
        testId="chart-record-edits"
      >
        {charts.edits.value.every((d) => d.edited === 0) ? (
          <Empty>No record of this dataset was edited in the last 14 days.</Empty>
        ) : (
          <Bar
            data={{
              labels: charts.edits.value.map((d) => d.day.slice(5)),
              datasets: [
                { label: 'edited', data: charts.edits.value.map((d) => d.edited), backgroundColor: PALETTE[3] },
              ],
            }}
            options={{
              animation: false,
              plugins: { legend: { display: false } },
              scales: { y: { beginAtZero: true, title: { display: true, text: 'records' } } },
            }}
          />
        )}
        <AsOf {...charts.edits} />
      </Panel>
      <Panel
        title="Recently changed records"
        help="The ten records of this dataset created or changed last; open one to see its history."
        testId="table-recent-records"
      >
        {charts.recent.value.length === 0 ? (
          <Empty>No records yet.</Empty>
        ) : (
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Record</TableCell>
                <TableCell>Label</TableCell>
                <TableCell>Split</TableCell>
                <TableCell>Changed</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {charts.recent.value.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>
                    <Link href={`/admin/resources/records/records/${r.id}/show`}>#{r.id}</Link>
                  </TableCell>
                  <TableCell>{r.label ?? '—'}</TableCell>
                  <TableCell>{r.split}</TableCell>
                  <TableCell>{new Date(r.updatedAt).toLocaleString()}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Panel>
    </>
  );
};

export default DatasetChartsView;
