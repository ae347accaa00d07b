import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import {
  Box,
  FormGroup,
  H3,
  Input,
  Label,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';

const api = new ApiClient();

interface Move {
  at: string;
  actor: string;
  fromVersion: number | null;
  toVersion: number;
  toVersionId: number;
  rollback: boolean;
}

const versionLink = (id: number, version: number) => (
  <Link href={`/admin/resources/modelVersions/records/${id}/show`}>v{version}</Link>
);

/** An alias's moves from the audit log, and "what did it serve at…" answered from them. */
const AliasHistory: React.FC<ActionProps> = ({ record, resource }) => {
  const [data, setData] = useState<{ model: string | null; moves: Move[] } | null>(null);
  const [when, setWhen] = useState('');
  useEffect(() => {
    if (!record) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'history' })
      .then((response) => setData(response.data as unknown as { model: string | null; moves: Move[] }))
      .catch(() => setData({ model: null, moves: [] }));
  }, [record?.id]);
  if (!record || !data) return null;
  const alias = String(record.params.alias);
  const at = when ? new Date(`${when}Z`) : null;
  const served = at ? data.moves.find((move) => new Date(move.at) <= at) : undefined;
  return (
    <Box variant="white" data-testid="alias-history">
      <H3>
        History of {data.model ?? 'model'} / {alias}
      </H3>
      <Text mb="lg">Every promotion and roll-back of this alias, newest first, as recorded in the audit log.</Text>
      <FormGroup>
        <Label htmlFor="when">What did “{alias}” serve at… (UTC)</Label>
        <Input
          id="when"
          type="datetime-local"
          value={when}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setWhen(e.target.value)}
          data-testid="alias-at"
        />
        {at ? (
          <Text mt="sm" data-testid="alias-served">
            {served ? (
              <>
                At {at.toISOString().replace('T', ' ').slice(0, 16)} UTC “{alias}” served{' '}
                {versionLink(served.toVersionId, served.toVersion)} (set{' '}
                {new Date(served.at).toISOString().replace('T', ' ').slice(0, 19)} UTC by {served.actor}).
              </>
            ) : (
              <>“{alias}” did not exist yet at that time.</>
            )}
          </Text>
        ) : null}
      </FormGroup>
      <Table>
        <TableHead>
          <TableRow>
            <TableCell>When (UTC)</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>Change</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {data.moves.map((move, i) => (
            <TableRow key={i} data-testid={`alias-move-${i}`}>
              <TableCell>{new Date(move.at).toISOString().replace('T', ' ').slice(0, 19)}</TableCell>
              <TableCell>{move.actor}</TableCell>
              <TableCell>
                {move.rollback ? 'rolled back ' : 'promoted '}
                {move.fromVersion === null ? '(new alias)' : `v${move.fromVersion}`} →{' '}
                {versionLink(move.toVersionId, move.toVersion)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
};

export default AliasHistory;
