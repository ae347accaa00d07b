import React, { useEffect, useState } from 'react';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import {
  Box,
  Button,
  Label,
  Link,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { AFTER_BACKGROUND, BEFORE_BACKGROUND, ChangeValue, changedFields, inRecordOrder } from './change-value.js';
import type { ChangeSetPage } from './change-set-view.js';

const api = new ApiClient();

const count = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

/**
 * An audit event's change-set as a paged table: a row per record and changed field, before and after,
 * the changed part marked. Pages come from the event's own `show` action (`?changesPage=N`), so whoever
 * may open the event may read its changes and nobody else. Export links and "Revert…" sit above it.
 */
const ChangeSetChanges: React.FC<{ eventSeq: string; changeSetId: number }> = ({ eventSeq, changeSetId }) => {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<ChangeSetPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [currentAdmin] = useCurrentAdmin();
  useEffect(() => {
    api
      .recordAction({
        resourceId: 'auditEvents',
        recordId: eventSeq,
        actionName: 'show',
        params: { changesPage: String(page) },
      })
      .then((response) => {
        const answer = response.data as { changes?: ChangeSetPage; notice?: { message: string } };
        if (answer.changes) setData(answer.changes);
        else setError(answer.notice?.message ?? 'The changes could not be loaded.');
      })
      .catch(() => setError('The changes could not be loaded: check your connection and reload the page.'));
  }, [eventSeq, page]);

  const exportHref = (format: string) => `/admin/exports/change-sets/${changeSetId}.${format}`;
  return (
    <Box mb="xl" data-testid="change-set">
      <Label>Changes</Label>
      {error ? <MessageBox variant="danger" mb="lg" message={error} /> : null}
      {data ? (
        <>
          <Text mb="default" data-testid="change-set-summary">
            Change-set #{changeSetId}: {count(data.changeSet.records, 'record')} changed in{' '}
            {data.changeSet.fields.length === 0 ? 'no tracked field' : inRecordOrder(data.changeSet.fields).join(', ')}.
            Every record&apos;s values before and after are kept, however many there are.
          </Text>
          {data.changeSet.revertsChangeSetId ? (
            <Text mb="default" data-testid="change-set-reverts">
              This revert undid change-set #{data.changeSet.revertsChangeSetId}.
            </Text>
          ) : null}
          {data.changeSet.revertedBy.length > 0 ? (
            <Text mb="default" data-testid="change-set-reverted-by">
              Reverted since by{' '}
              {data.changeSet.revertedBy.map((revert, i) => (
                <React.Fragment key={revert.id}>
                  {i > 0 ? ', ' : ''}
                  {revert.auditSeq ? (
                    <Link href={`/admin/resources/auditEvents/records/${revert.auditSeq}/show`}>
                      change-set #{revert.id}
                    </Link>
                  ) : (
                    `change-set #${revert.id}`
                  )}
                </React.Fragment>
              ))}
              .
            </Text>
          ) : null}
          <Box mb="lg" flex flexDirection="row" style={{ gap: 24, alignItems: 'center' }}>
            <Link href={exportHref('csv')} data-testid="change-set-export-csv">
              Export changes (CSV)
            </Link>
            <Link href={exportHref('jsonl')} data-testid="change-set-export-jsonl">
              Export changes (JSON lines)
            </Link>
            {data.revert.allowed ? (
              <Button
                as="a"
                variant="outlined"
                size="sm"
                href={`/admin/resources/records/actions/revert?changeSetId=${changeSetId}`}
                data-testid="change-set-revert"
              >
                Revert…
              </Button>
            ) : (
              <Text variant="sm" color="grey60" data-testid="change-set-no-revert">
                {data.revert.reason ??
                  `Your role (${String(currentAdmin?.role ?? 'unknown')}) may read this change but not revert it.`}
              </Text>
            )}
          </Box>
          <ChangeRows page={data} />
          <Pager page={data.page} perPage={data.perPage} total={data.total} onPage={setPage} noun="Records" />
        </>
      ) : null}
    </Box>
  );
};

/** The current page of records, one table row per changed field (a created record: one row saying so). */
export const ChangeRows: React.FC<{ page: Pick<ChangeSetPage, 'rows'> }> = ({ page }) => (
  <Table data-testid="change-set-table">
    <TableHead>
      <TableRow>
        <TableCell>Record</TableCell>
        <TableCell>Field</TableCell>
        <TableCell>Before</TableCell>
        <TableCell>After</TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {page.rows.flatMap((row) => {
        const link = <a href={`/admin/resources/records/records/${row.recordId}/show`}>{row.recordId}</a>;
        if (row.kind === 'created')
          return [
            <TableRow key={`${row.recordId}-created`} data-record={row.recordId} data-field="">
              <TableCell>{link}</TableCell>
              <TableCell colSpan={3}>created by this change</TableCell>
            </TableRow>,
          ];
        const fields = changedFields(row.before, row.after);
        return fields.map((field, i) => (
          <TableRow key={`${row.recordId}-${field}`} data-record={row.recordId} data-field={field}>
            <TableCell>{i === 0 ? link : null}</TableCell>
            <TableCell style={{ fontWeight: 700 }}>{field}</TableCell>
            <TableCell style={{ background: BEFORE_BACKGROUND, maxWidth: 420 }}>
              <ChangeValue value={row.before[field]} other={row.after[field]} side="before" />
            </TableCell>
            <TableCell style={{ background: AFTER_BACKGROUND, maxWidth: 420 }}>
              <ChangeValue value={row.after[field]} other={row.before[field]} side="after" />
            </TableCell>
          </TableRow>
        ));
      })}
    </TableBody>
  </Table>
);

/** Previous / next through a long list, with where this page is in it. */
export const Pager: React.FC<{
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
  noun: string;
}> = ({ page, perPage, total, onPage, noun }) => {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const first = (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  return (
    <Box mt="default" flex flexDirection="row" style={{ gap: 12, alignItems: 'center' }} data-testid="pager">
      <Button size="sm" variant="text" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </Button>
      <Text variant="sm">
        {noun} {first.toLocaleString('en')}–{last.toLocaleString('en')} of {total.toLocaleString('en')} (page {page} of{' '}
        {pages.toLocaleString('en')})
      </Text>
      <Button
        size="sm"
        variant="text"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
        data-testid="pager-next"
      >
        Next →
      </Button>
    </Box>
  );
};

export default ChangeSetChanges;
