import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import {
  Box,
  Button,
  CheckBox,
  H3,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';

const api = new ApiClient();

interface Deleted {
  id: number;
  datasetId: number;
  label: string | null;
  text: string | null;
  deletedAt: string;
}

/** Admins bring back soft-deleted records: the most recent deletions, ticked and restored. */
const RestoreRecords: React.FC<ActionProps> = ({ resource }) => {
  const [data, setData] = useState<{ records: Deleted[]; total: number } | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const load = (response: { data: unknown }) => setData(response.data as { records: Deleted[]; total: number });
  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'restoreDeleted' })
      .then(load)
      .catch(() => setData({ records: [], total: 0 }));
  }, []);
  const toggle = (id: number) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const restore = async () => {
    setBusy(true);
    try {
      const response = await api.resourceAction({
        resourceId: resource.id,
        actionName: 'restoreDeleted',
        method: 'post',
        data: { ids: [...chosen].join(',') },
      });
      const notice = (response.data as { notice?: { message: string; type: 'success' | 'error' } }).notice;
      if (notice) addNotice(notice);
      if (notice?.type !== 'error') {
        load(response);
        setChosen(new Set());
      }
    } finally {
      setBusy(false);
    }
  };
  if (!data) return null;
  return (
    <Box variant="white" data-testid="restore-records">
      <H3>Restore deleted records</H3>
      <Text mb="lg">
        Deleting a record only hides it (soft delete). {data.total.toLocaleString()} record
        {data.total === 1 ? ' is' : 's are'} deleted; the {Math.min(data.total, data.records.length)} most recent are
        listed. Tick and restore; each restore is recorded in the audit log.
      </Text>
      {data.records.length === 0 ? (
        <Text>Nothing is deleted.</Text>
      ) : (
        <Table>
          <TableHead>
            <TableRow>
              <TableCell />
              <TableCell>Id</TableCell>
              <TableCell>Dataset</TableCell>
              <TableCell>Label</TableCell>
              <TableCell>Text</TableCell>
              <TableCell>Deleted (UTC)</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.records.map((r) => (
              <TableRow key={r.id} data-testid={`deleted-${r.id}`}>
                <TableCell>
                  <CheckBox checked={chosen.has(r.id)} onChange={() => toggle(r.id)} />
                </TableCell>
                <TableCell>{r.id}</TableCell>
                <TableCell>{r.datasetId}</TableCell>
                <TableCell>{r.label ?? '—'}</TableCell>
                <TableCell>{r.text ?? '—'}</TableCell>
                <TableCell>{new Date(r.deletedAt).toISOString().replace('T', ' ').slice(0, 19)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Button
        mt="lg"
        variant="contained"
        onClick={() => void restore()}
        disabled={busy || chosen.size === 0}
        data-testid="restore-submit"
      >
        Restore {chosen.size} record{chosen.size === 1 ? '' : 's'}
      </Button>
    </Box>
  );
};

export default RestoreRecords;
