import React from 'react';
import { flat, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

type Values = Record<string, unknown> | null | undefined;

const show = (value: unknown): string => (value === undefined ? '—' : value === null ? 'empty' : typeof value === 'object' ? JSON.stringify(value) : String(value));

/**
 * An audit event's before and after values as one table, a row per field, changed fields marked:
 * "what did this edit change" at a glance. React escapes every value, so nothing in them can run.
 */
const AuditDiff: React.FC<ShowPropertyProps> = ({ record }) => {
  const params = flat.unflatten(record.params) as { before?: Values; after?: Values };
  const before = params.before ?? {};
  const after = params.after ?? {};
  const beforeIsObject = typeof before === 'object' && !Array.isArray(before);
  const afterIsObject = typeof after === 'object' && !Array.isArray(after);
  if (!beforeIsObject || !afterIsObject) return null;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (fields.length === 0) {
    return (
      <Box mb="xl">
        <Label>Changes</Label>
        <Text>No field values recorded for this event.</Text>
      </Box>
    );
  }
  return (
    <Box mb="xl" data-testid="audit-diff">
      <Label>Changes</Label>
      <Table>
        <TableHead>
          <TableRow>
            <TableCell>Field</TableCell>
            <TableCell>Before</TableCell>
            <TableCell>After</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {fields.map((field) => {
            const from = (before as Record<string, unknown>)[field];
            const to = (after as Record<string, unknown>)[field];
            const changed = JSON.stringify(from) !== JSON.stringify(to);
            return (
              <TableRow key={field} data-changed={String(changed)}>
                <TableCell style={{ fontWeight: changed ? 700 : 400 }}>{field}</TableCell>
                <TableCell style={{ background: changed ? '#FDECEA' : undefined, wordBreak: 'break-word' }}>{show(from)}</TableCell>
                <TableCell style={{ background: changed ? '#E8F5E9' : undefined, wordBreak: 'break-word' }}>{show(to)}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
};

export default AuditDiff;
