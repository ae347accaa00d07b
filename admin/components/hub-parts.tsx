import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Badge, Box, H4, Link, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import type { HubJob } from '../../src/jobs/recent-jobs.js';
import { statusBadgeProps } from './status-tone.js';

const api = new ApiClient();

/** A show page's hub data from its (buttonless) `hub` action; `error` says what to do when it failed. */
export function useHub<T>(resourceId: string, recordId: string | undefined): { hub: T | null; error: string | null } {
  const [hub, setHub] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!recordId) return;
    api
      .recordAction({ resourceId, recordId, actionName: 'hub' })
      .then((response) => {
        const data = response.data as unknown as { hub?: T; notice?: { message: string } };
        if (data.hub) setHub(data.hub);
        else setError(data.notice?.message ?? 'Could not load this page’s sections. Reload the page.');
      })
      .catch(() => setError('Could not load this page’s sections. Reload the page; if it persists, ask an admin.'));
  }, [resourceId, recordId]);
  return { hub, error };
}

/** A titled block of a hub page, with an optional link to the full list on the right. */
export const HubSection: React.FC<{
  title: string;
  testId: string;
  more?: { href: string; label: string };
  children: React.ReactNode;
}> = ({ title, testId, more, children }) => (
  <Box mb="xl" data-testid={testId}>
    <Box flex flexDirection="row" justifyContent="space-between" alignItems="baseline">
      <H4 mb="default">{title}</H4>
      {more && (
        <Link href={more.href} data-testid={`${testId}-more`}>
          {more.label}
        </Link>
      )}
    </Box>
    {children}
  </Box>
);

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export const StatusBadge: React.FC<{ status: string; label?: string }> = ({ status, label }) => (
  <Badge {...statusBadgeProps(status)} size="sm">
    {label ?? status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, ' ')}
  </Badge>
);

export const HeaderRow: React.FC<{ cells: string[] }> = ({ cells }) => (
  <TableHead>
    <TableRow>
      {cells.map((c) => (
        <TableCell key={c}>{c}</TableCell>
      ))}
    </TableRow>
  </TableHead>
);

const KIND_WORDS: Record<string, string> = { bulk_edit: 'bulk edit' };

/** Jobs as "#12 train", with status, progress, who queued them and when. */
export const JobsTable: React.FC<{ jobs: HubJob[]; mayOpen: boolean; empty: string }> = ({ jobs, mayOpen, empty }) => {
  if (jobs.length === 0) return <Text>{empty}</Text>;
  return (
    <Table>
      <HeaderRow cells={['Job', 'Status', 'Progress', 'Queued by', 'Queued', 'Finished']} />
      <TableBody>
        {jobs.map((job) => {
          const name = `#${job.id} ${KIND_WORDS[job.kind] ?? job.kind}`;
          return (
            <TableRow key={job.id} data-testid={`hub-job-${job.id}`}>
              <TableCell>
                {mayOpen ? <Link href={`/admin/resources/jobs/records/${job.id}/show`}>{name}</Link> : name}
              </TableCell>
              <TableCell>
                <StatusBadge status={job.status} />
                {job.error && (
                  <Text
                    variant="sm"
                    title={job.error}
                    style={{ maxWidth: 280, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                  >
                    {job.error}
                  </Text>
                )}
              </TableCell>
              <TableCell>
                {job.progressTotal
                  ? `${job.progressDone.toLocaleString()} / ${job.progressTotal.toLocaleString()}`
                  : '—'}
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{job.createdBy ?? 'system'}</TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{when(job.createdAt)}</TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{when(job.finishedAt)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
};
