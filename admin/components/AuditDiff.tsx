import React from 'react';
import { flat, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import ChangeSetChanges from './ChangeSetChanges.js';
import { changeSetIdOf } from './change-set-of.js';

type Values = Record<string, unknown> | null | undefined;

const show = (value: unknown): string =>
  value === undefined
    ? '—'
    : value === null
      ? 'empty'
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

interface BulkChanges {
  label?: string;
  split?: string;
  addTags?: string[];
  removeTags?: string[];
}

/** A bulk edit's new value of one field, as the records got it. */
function bulkAfter(field: string, previous: unknown, changes: BulkChanges): unknown {
  if (field !== 'tags') return (changes as Record<string, unknown>)[field];
  const kept = ((previous as string[] | null) ?? []).filter((t) => !(changes.removeTags ?? []).includes(t));
  return [...kept, ...(changes.addTags ?? []).filter((t) => !kept.includes(t))];
}

/** A bulk edit: a row per record and field, before and after; large edits: how many had which value. */
const BulkDiff: React.FC<{
  before: { byRecord?: Record<string, Record<string, unknown>>; valueCounts?: Record<string, Record<string, number>> };
  after: BulkChanges;
}> = ({ before, after }) => (
  <Box mb="xl" data-testid="audit-diff">
    <Label>Changes, record by record</Label>
    <Table>
      <TableHead>
        <TableRow>
          <TableCell>Record</TableCell>
          <TableCell>Field</TableCell>
          <TableCell>Before</TableCell>
          <TableCell>After</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {before.byRecord
          ? Object.entries(before.byRecord).flatMap(([id, fields]) =>
              Object.entries(fields).map(([field, value]) => (
                <TableRow key={`${id}-${field}`} data-changed="true">
                  <TableCell>
                    <a href={`/admin/resources/records/records/${id}/show`}>{id}</a>
                  </TableCell>
                  <TableCell>{field}</TableCell>
                  <TableCell style={{ background: '#FDECEA' }}>{show(value)}</TableCell>
                  <TableCell style={{ background: '#E8F5E9' }}>{show(bulkAfter(field, value, after))}</TableCell>
                </TableRow>
              )),
            )
          : Object.entries(before.valueCounts ?? {}).flatMap(([field, counts]) =>
              Object.entries(counts).map(([value, count]) => (
                <TableRow key={`${field}-${value}`} data-changed="true">
                  <TableCell>{count.toLocaleString()} records</TableCell>
                  <TableCell>{field}</TableCell>
                  <TableCell style={{ background: '#FDECEA' }}>{value}</TableCell>
                  <TableCell style={{ background: '#E8F5E9' }}>
                    {show(
                      field === 'tags'
                        ? `+${(after.addTags ?? []).join(',')} −${(after.removeTags ?? []).join(',')}`
                        : (after as Record<string, unknown>)[field],
                    )}
                  </TableCell>
                </TableRow>
              )),
            )}
      </TableBody>
    </Table>
  </Box>
);

/**
 * An audit event's before and after values as one table, a row per field, changed fields marked:
 * "what did this edit change" at a glance. An event that recorded a change-set shows it, paged,
 * instead (every record's before and after, at any size); older bulk edits keep their inline table.
 * React escapes every value, so nothing in them can run.
 */
const AuditDiff: React.FC<ShowPropertyProps> = ({ record }) => {
  const changeSetId = changeSetIdOf(record);
  if (changeSetId !== null) return <ChangeSetChanges eventSeq={String(record.id)} changeSetId={changeSetId} />;
  const params = flat.unflatten<unknown, { before?: Values; after?: Values }>(record.params);
  const before = params.before ?? {};
  const after = params.after ?? {};
  if (typeof before === 'object' && before !== null && ('byRecord' in before || 'valueCounts' in before)) {
    return <BulkDiff before={before} after={after} />;
  }
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
            const from = before[field];
            const to = after[field];
            const changed = JSON.stringify(from) !== JSON.stringify(to);
            return (
              <TableRow key={field} data-changed={String(changed)}>
                <TableCell style={{ fontWeight: changed ? 700 : 400 }}>{field}</TableCell>
                <TableCell style={{ background: changed ? '#FDECEA' : undefined, wordBreak: 'break-word' }}>
                  {show(from)}
                </TableCell>
                <TableCell style={{ background: changed ? '#E8F5E9' : undefined, wordBreak: 'break-word' }}>
                  {show(to)}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
};

export default AuditDiff;
