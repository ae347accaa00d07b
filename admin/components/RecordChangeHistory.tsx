import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, useResource, type ShowPropertyProps } from 'adminjs';
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
import { Pager } from './ChangeSetChanges.js';
import {
  AFTER_BACKGROUND,
  BEFORE_BACKGROUND,
  ChangeValue,
  actionWords,
  changedFields,
  inRecordOrder,
  utcTime,
} from './change-value.js';
import type { HistoryEntry, HistoryPage, RestorePreviewView } from './change-set-view.js';

const api = new ApiClient();

/**
 * A record's History panel: every change-set that touched it (console edit, bulk edit, import, API,
 * revert, restore), newest first and paged, each with who, when, what and a link to its audit event,
 * and "Restore to this version" (a preview of the difference, then confirm) for roles that may.
 */
const RecordChangeHistory: React.FC<ShowPropertyProps> = ({ record, resource }) => {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<HistoryPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  // Offered only when the server lists the audit log for this person (the rule table decides).
  const auditLog = useResource('auditEvents')?.resourceActions.some((action) => action.name === 'list');
  useEffect(() => {
    api
      .recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: 'history',
        params: { page: String(page) },
      })
      .then((response) => {
        const answer = response.data as { history?: HistoryPage; notice?: { message: string } };
        if (answer.history) setData(answer.history);
        else setError(answer.notice?.message ?? 'The history could not be loaded.');
      })
      .catch(() => setError('The history could not be loaded: check your connection and reload the page.'));
  }, [record.id, page]);

  return (
    <Box mb="xl" data-testid="record-history">
      <Label>History</Label>
      {error ? <MessageBox variant="danger" mb="lg" message={error} /> : null}
      {data && data.entries.length === 0 ? (
        <Text data-testid="record-history-empty">No recorded change yet: this record is as it was created.</Text>
      ) : null}
      {data && data.entries.length > 0 ? (
        <>
          <Text variant="sm" mb="default">
            Every change to this record, newest first: each field before → after. The values kept for each change are
            complete, whatever the size of the edit that made it.
          </Text>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Who</TableCell>
                <TableCell>What</TableCell>
                <TableCell>Changes</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {data.entries.map((entry, i) => (
                <React.Fragment key={entry.changeSetId}>
                  <TableRow data-testid={`history-entry-${entry.changeSetId}`} data-action={entry.action}>
                    <TableCell style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>{utcTime(entry.at)}</TableCell>
                    <TableCell style={{ verticalAlign: 'top' }}>{entry.actorLabel}</TableCell>
                    <TableCell style={{ verticalAlign: 'top' }}>
                      {entry.auditSeq ? (
                        <Link href={`/admin/resources/auditEvents/records/${entry.auditSeq}/show`}>
                          {actionWords(entry.action)}
                        </Link>
                      ) : (
                        actionWords(entry.action)
                      )}
                    </TableCell>
                    <TableCell>
                      <EntryChanges entry={entry} />
                    </TableCell>
                    <TableCell style={{ verticalAlign: 'top' }}>
                      {data.restore.allowed && !(page === 1 && i === 0) ? (
                        <Button
                          size="sm"
                          variant="outlined"
                          onClick={() => setRestoring(restoring === entry.changeSetId ? null : entry.changeSetId)}
                          data-testid={`history-restore-${entry.changeSetId}`}
                        >
                          Restore to this version
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                  {restoring === entry.changeSetId ? (
                    <TableRow>
                      <TableCell colSpan={5} style={{ background: '#F6F7FB' }}>
                        <RestorePreview
                          resourceId={resource.id}
                          recordId={record.id}
                          entry={entry}
                          onCancel={() => setRestoring(null)}
                          onDone={() => {
                            setRestoring(null);
                            // The fields above the panel show the record as it was loaded: reload them too.
                            window.location.reload();
                          }}
                        />
                      </TableCell>
                    </TableRow>
                  ) : null}
                </React.Fragment>
              ))}
            </TableBody>
          </Table>
          <Pager page={data.page} perPage={data.perPage} total={data.total} onPage={setPage} noun="Changes" />
          {!data.restore.allowed && data.restore.reason ? (
            <Text variant="sm" color="grey60" mt="default" data-testid="history-no-restore">
              {data.restore.reason}
            </Text>
          ) : null}
        </>
      ) : null}
      {auditLog ? (
        <Text variant="sm" mt="default">
          <Link
            href={`/admin/resources/auditEvents?${new URLSearchParams({
              'filters.resource': resource.id,
              'filters.recordIds': String(record.id),
            }).toString()}`}
            data-testid="record-audit-events"
          >
            Every audit event on this record
          </Link>{' '}
          (refused attempts included)
        </Text>
      ) : null}
    </Box>
  );
};

const EntryChanges: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  if (entry.kind === 'created') return <Text>created</Text>;
  const fields = changedFields(entry.before, entry.after);
  return (
    <Box>
      {fields.map((field) => (
        <Box key={field} mb="sm" data-field={field}>
          <strong>{field}</strong>:{' '}
          <span style={{ background: BEFORE_BACKGROUND, padding: '0 4px' }}>
            <ChangeValue value={entry.before[field]} other={entry.after[field]} side="before" />
          </span>{' '}
          →{' '}
          <span style={{ background: AFTER_BACKGROUND, padding: '0 4px' }}>
            <ChangeValue value={entry.after[field]} other={entry.before[field]} side="after" />
          </span>
        </Box>
      ))}
    </Box>
  );
};

/** The difference between the record now and as it was right after the chosen change, then confirm. */
const RestorePreview: React.FC<{
  resourceId: string;
  recordId: string;
  entry: HistoryEntry;
  onCancel: () => void;
  onDone: () => void;
}> = ({ resourceId, recordId, entry, onCancel, onDone }) => {
  const [preview, setPreview] = useState<RestorePreviewView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  useEffect(() => {
    api
      .recordAction({
        resourceId,
        recordId,
        actionName: 'restoreVersion',
        params: { changeSetId: String(entry.changeSetId) },
      })
      .then((response) => {
        const answer = response.data as { preview?: RestorePreviewView; notice?: { message: string } };
        if (answer.preview) setPreview(answer.preview);
        else setError(answer.notice?.message ?? 'The preview could not be made.');
      })
      .catch(() => setError('The preview could not be made: check your connection and try again.'));
  }, [entry.changeSetId]);
  const restore = async () => {
    setBusy(true);
    try {
      const response = await api.recordAction({
        resourceId,
        recordId,
        actionName: 'restoreVersion',
        data: { changeSetId: String(entry.changeSetId) },
      });
      const notice = (response.data as { notice?: { message: string; type: 'success' | 'error' } }).notice;
      if (notice) addNotice(notice);
      if (notice?.type === 'error') setError(notice.message);
      else onDone();
    } catch {
      setError('The restore failed: check your connection and try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box p="default" data-testid="restore-preview">
      <Text fontWeight="bold" mb="default">
        Restore this record to how it was right after the {actionWords(entry.action)} of {utcTime(entry.at)}
      </Text>
      {error ? <MessageBox variant="danger" mb="default" message={error} /> : null}
      {preview?.refused ? <MessageBox variant="danger" mb="default" message={preview.refused} /> : null}
      {preview && preview.fields.length === 0 ? (
        <Text mb="default">The record already has exactly these values: nothing to restore.</Text>
      ) : null}
      {preview && preview.fields.length > 0 ? (
        <>
          <Table mb="default">
            <TableHead>
              <TableRow>
                <TableCell>Field</TableCell>
                <TableCell>Now</TableCell>
                <TableCell>After restoring</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {inRecordOrder(preview.fields).map((field) => (
                <TableRow key={field} data-field={field}>
                  <TableCell style={{ fontWeight: 700 }}>{field}</TableCell>
                  <TableCell style={{ background: BEFORE_BACKGROUND }}>
                    <ChangeValue value={preview.current[field]} other={preview.target[field]} side="before" />
                  </TableCell>
                  <TableCell style={{ background: AFTER_BACKGROUND }}>
                    <ChangeValue value={preview.target[field]} other={preview.current[field]} side="after" />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Text variant="sm" mb="default">
            Only these fields change. The restore is recorded as a change of its own (audit log and this History), so it
            can be undone the same way.
          </Text>
        </>
      ) : null}
      <Box flex flexDirection="row" style={{ gap: 12 }}>
        <Button
          size="sm"
          variant="contained"
          color="danger"
          disabled={busy || !preview || preview.fields.length === 0 || Boolean(preview.refused)}
          onClick={() => void restore()}
          data-testid="restore-confirm"
        >
          Restore {preview ? `${preview.fields.length} field${preview.fields.length === 1 ? '' : 's'}` : ''}
        </Button>
        <Button size="sm" variant="text" onClick={onCancel}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
};

export default RecordChangeHistory;
