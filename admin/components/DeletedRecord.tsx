import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import {
  Box,
  Button,
  H3,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import type { DeletedRecordFacts } from '../../src/records/deleted-record.js';

const api = new ApiClient();

interface Answer {
  deleted: DeletedRecordFacts | null;
  records: DeletedRecordFacts[];
  notice?: { message: string; type: 'success' | 'error' };
  redirectUrl?: string;
}

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** Kept in step with deletedRecordSentence (src/records/deleted-record.ts), which the bundle cannot import. */
const sentence = (d: DeletedRecordFacts) =>
  `Record ${d.id} was deleted on ${when(d.deletedAt)}${d.deletedBy ? ` by ${d.deletedBy}` : ''}`;

/** "Deleted records": recent deletions, when and by whom; a deleted record's URL opens it with that record on top. */
const DeletedRecord: React.FC<ActionProps> = ({ resource }) => {
  const [data, setData] = useState<Answer | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const recordId = new URLSearchParams(window.location.search).get('recordId');

  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'deleted', params: recordId ? { recordId } : {} })
      .then((response) => {
        const answer = response.data as Answer;
        if (answer.notice?.type === 'error') setError(answer.notice.message);
        else setData(answer);
      })
      .catch(() => setError('Could not load the deleted records: reload the page.'));
  }, [recordId]);

  const restore = async (id: number) => {
    setBusy(true);
    try {
      const response = await api.resourceAction({
        resourceId: resource.id,
        actionName: 'deleted',
        method: 'post',
        data: { recordId: String(id) },
      });
      const answer = response.data as Answer;
      if (answer.notice) addNotice(answer.notice);
      if (answer.notice?.type !== 'error' && answer.redirectUrl) window.location.assign(answer.redirectUrl);
    } finally {
      setBusy(false);
    }
  };

  const focus = data?.deleted;
  return (
    <Box variant="white" data-testid="deleted-records">
      {error ? <MessageBox variant="danger" mb="lg" message={error} data-testid="deleted-error" /> : null}
      {focus ? (
        <Box mb="xl" data-testid="deleted-record">
          <H3>{sentence(focus)}</H3>
          <Text mb="default">
            It belonged to dataset {focus.dataset}
            {focus.label ? ` (label ${focus.label})` : ''}. Deleting only hid it: its values, history and audit trail
            are kept{focus.auditSeq !== null ? ' (' : '.'}
            {focus.auditSeq !== null ? (
              <>
                <a href={`/admin/resources/auditEvents/records/${focus.auditSeq}/show`}>the deletion's audit event</a>).
              </>
            ) : null}
          </Text>
          {focus.mayRestore ? (
            <Button
              variant="contained"
              onClick={() => void restore(focus.id)}
              disabled={busy}
              data-testid="deleted-record-restore"
            >
              Restore record {focus.id}
            </Button>
          ) : (
            <Text data-testid="deleted-record-who-restores">
              Only an admin can restore it: ask one if it is needed.
            </Text>
          )}
        </Box>
      ) : null}
      <H3>Recently deleted records</H3>
      {data && data.records.length === 0 ? <Text>No record is deleted.</Text> : null}
      {data && data.records.length > 0 ? (
        <Table data-testid="deleted-records-table">
          <TableHead>
            <TableRow>
              <TableCell>Record</TableCell>
              <TableCell>Dataset</TableCell>
              <TableCell>Label</TableCell>
              <TableCell>Deleted</TableCell>
              <TableCell>By</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {data.records.map((r) => (
              <TableRow key={r.id} data-testid="deleted-records-row">
                <TableCell>{r.id}</TableCell>
                <TableCell>{r.dataset}</TableCell>
                <TableCell>{r.label ?? '—'}</TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{when(r.deletedAt)}</TableCell>
                <TableCell>{r.deletedBy ?? 'not recorded'}</TableCell>
                <TableCell>
                  {r.mayRestore ? (
                    <Button size="sm" onClick={() => void restore(r.id)} disabled={busy}>
                      Restore
                    </Button>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Box>
  );
};

export default DeletedRecord;
