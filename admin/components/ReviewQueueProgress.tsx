import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';

interface Detail {
  progress: {
    total: number;
    pending: number;
    labelled: number;
    skipped: number;
    claimed: number;
    changed: number;
    reviewed: number;
  };
  agreement: Array<{ label: string; labelled: number; reviewed: number; accepted: number; agreement: number | null }>;
}

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—');

function parseDetail(value: unknown): Detail | null {
  try {
    return JSON.parse(String(value ?? 'null')) as Detail | null;
  } catch {
    return null;
  }
}

/** A queue's progress (items by state) and, per label given, how often a second reviewer agreed. */
const ReviewQueueProgress: React.FC<ShowPropertyProps> = ({ record }) => {
  const detail = parseDetail(record.params.progress);
  if (!detail) return null;
  const { progress, agreement } = detail;
  const done = progress.labelled + progress.skipped;
  return (
    <Box mb="xl" data-testid="review-queue-progress">
      <Label>Progress</Label>
      <Text>
        {done.toLocaleString()} of {progress.total.toLocaleString()} done ({percent(done, progress.total)}):{' '}
        {progress.labelled.toLocaleString()} labelled ({progress.changed.toLocaleString()} changed),{' '}
        {progress.skipped.toLocaleString()} skipped, {progress.pending.toLocaleString()} to go
        {progress.claimed > 0 ? ` (${progress.claimed} being labelled now)` : ''}.
      </Text>
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={done}
        style={{ height: 8, background: '#eee', borderRadius: 4, margin: '8px 0 16px' }}
      >
        <div
          style={{
            width: percent(done, progress.total) === '—' ? 0 : percent(done, progress.total),
            height: 8,
            background: '#3040D6',
            borderRadius: 4,
          }}
        />
      </div>
      {agreement.length > 0 ? (
        <>
          <Label>Agreement per label (second review)</Label>
          <table data-testid="review-queue-agreement" style={{ borderCollapse: 'collapse' }}>
            <thead>
              <tr>
                {['Label', 'Labelled', 'Second-reviewed', 'Accepted', 'Agreement'].map((h) => (
                  <th key={h} style={{ textAlign: 'left', padding: '4px 12px 4px 0' }}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {agreement.map((a) => (
                <tr key={a.label}>
                  <td style={{ padding: '4px 12px 4px 0' }}>{a.label}</td>
                  <td>{a.labelled}</td>
                  <td>{a.reviewed}</td>
                  <td>{a.accepted}</td>
                  <td>{a.agreement === null ? '—' : percent(a.accepted, a.reviewed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Box>
  );
};

export default ReviewQueueProgress;
