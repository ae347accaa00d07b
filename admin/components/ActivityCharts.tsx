import React from 'react';
import { Badge, Link, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Bar } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { AsOf, Empty, formatCount, Panel } from './ChartPanel.js';
import type { Cached } from '../../src/charts/chart-cache.js';
import type { AuditActivity, DailyPredictions, ImportOutcome } from '../../src/charts/activity-charts.js';

/** Predictions per day over 30 days: records scored by batch jobs, and instances answered by the API. */
export const PredictionsPerDay: React.FC<{ data: Cached<DailyPredictions[]>; scope?: string }> = ({ data, scope }) => {
  const any = data.value.some((d) => d.batch + d.api > 0);
  return (
    <Panel
      title={`Predictions per day (30 days${scope ? `, ${scope}` : ''})`}
      help="Batch: records scored by scoring jobs that finished that day. API: instances answered by POST /api/v1/models/{name}/predict, all web processes."
      testId="chart-predictions-per-day"
    >
      {!any ? (
        <Empty>No predictions in the last 30 days: score a dataset or call the predict API.</Empty>
      ) : (
        <Bar
          data={{
            labels: data.value.map((d) => d.day.slice(5)),
            datasets: [
              { label: 'batch', data: data.value.map((d) => d.batch), backgroundColor: PALETTE[0] },
              { label: 'API', data: data.value.map((d) => d.api), backgroundColor: PALETTE[1] },
            ],
          }}
          options={{ animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }}
        />
      )}
      <AsOf {...data} />
    </Panel>
  );
};

const stacked = (days: string[], series: Array<{ key: string; counts: number[] }>) => ({
  labels: days.map((d) => d.slice(5)),
  datasets: series.map((s, i) => ({ label: s.key, data: s.counts, backgroundColor: PALETTE[i % PALETTE.length] })),
});

/** The audit log per day over 30 days, by action type and by actor, with refused and failed actions. */
export const AuditActivityCharts: React.FC<{ data: Cached<AuditActivity> }> = ({ data }) => {
  const activity = data.value;
  const refused = activity.refused.reduce((a, b) => a + b, 0);
  const failed = activity.failed.reduce((a, b) => a + b, 0);
  const options = {
    animation: false as const,
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
  };
  return (
    <>
      <Panel
        title="Actions per day by type (30 days)"
        help="Audit events per day, by action (the busiest seven; the rest as other). Every write, sign-in, export and refusal is one event."
        testId="chart-audit-by-action"
      >
        {activity.total === 0 ? (
          <Empty>No audit events in the last 30 days.</Empty>
        ) : (
          <Bar data={stacked(activity.days, activity.byAction)} options={options} />
        )}
        <Text variant="sm" mt="sm">
          {formatCount(activity.total)} events · {formatCount(refused)} refused · {formatCount(failed)} failed ·{' '}
          <Link href="/admin/resources/auditEvents">open the audit log</Link> ·{' '}
          <Link href="/admin/resources/auditEvents/actions/verify">verify the chain</Link>
        </Text>
        <AsOf {...data} />
      </Panel>
      <Panel
        title="Actions per day by actor (30 days)"
        help="Audit events per day, by who acted: a user's email, an API key's prefix, the CLI's OS user, or the system (the busiest seven; the rest as others)."
        testId="chart-audit-by-actor"
      >
        {activity.total === 0 ? (
          <Empty>No audit events in the last 30 days.</Empty>
        ) : (
          <Bar data={stacked(activity.days, activity.byActor)} options={options} />
        )}
        <AsOf {...data} />
      </Panel>
      <Panel
        title="Refused and failed actions per day (30 days)"
        help="Refused: the role may not do it (or the CSRF/login checks said no). Failed: allowed, but the action could not complete. Both are in the audit log with the reason."
        testId="chart-audit-refused"
      >
        {refused + failed === 0 ? (
          <Empty>Nothing was refused or failed in the last 30 days.</Empty>
        ) : (
          <Bar
            data={{
              labels: activity.days.map((d) => d.slice(5)),
              datasets: [
                { label: 'refused', data: activity.refused, backgroundColor: '#B8860B' },
                { label: 'failed', data: activity.failed, backgroundColor: '#C0392B' },
              ],
            }}
            options={options}
          />
        )}
      </Panel>
    </>
  );
};

const STATUS_VARIANT: Record<string, 'success' | 'danger' | 'info' | 'secondary'> = {
  succeeded: 'success',
  failed: 'danger',
  running: 'info',
  queued: 'secondary',
  cancelled: 'secondary',
};

/** The last CSV imports (dry runs and applies) with their counts; a content manager sees their own. */
export const RecentImports: React.FC<{ data: Cached<ImportOutcome[]>; own: boolean }> = ({ data, own }) => (
  <Panel
    title={own ? 'Your recent imports' : 'Recent imports'}
    help="CSV imports into datasets: each dry run and apply, with rows read, inserted, updated and rejected. Open a job for its per-row errors."
    testId="table-recent-imports"
    wide
  >
    {data.value.length === 0 ? (
      <Empty>No imports yet: open a dataset and choose "Import CSV".</Empty>
    ) : (
      <Table>
        <TableHead>
          <TableRow>
            <TableCell>Job</TableCell>
            <TableCell>File</TableCell>
            <TableCell>Dataset</TableCell>
            <TableCell>Mode</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Rows</TableCell>
            <TableCell>Inserted</TableCell>
            <TableCell>Updated</TableCell>
            <TableCell>Rejected</TableCell>
            <TableCell>Finished</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {data.value.map((job) => (
            <TableRow key={job.jobId}>
              <TableCell>
                <Link href={`/admin/resources/jobs/records/${job.jobId}/show`}>#{job.jobId}</Link>
              </TableCell>
              <TableCell>{job.fileName ?? '—'}</TableCell>
              <TableCell>{job.dataset ?? '—'}</TableCell>
              <TableCell>{job.mode}</TableCell>
              <TableCell>
                <Badge variant={STATUS_VARIANT[job.status] ?? 'secondary'} size="sm">
                  {job.status}
                </Badge>
              </TableCell>
              <TableCell>{job.rows === null ? '—' : formatCount(job.rows)}</TableCell>
              <TableCell>{job.inserts === null ? '—' : formatCount(job.inserts)}</TableCell>
              <TableCell>{job.updates === null ? '—' : formatCount(job.updates)}</TableCell>
              <TableCell>{job.invalidRows === null ? '—' : formatCount(job.invalidRows)}</TableCell>
              <TableCell>{job.finishedAt ? new Date(job.finishedAt).toLocaleString() : (job.error ?? '—')}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    )}
    <AsOf {...data} />
  </Panel>
);
