import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import { Box, Link, Table, TableBody, TableCell, TableRow, Text } from '@adminjs/design-system';
import type { DatasetHub as Hub } from '../../src/datasets/dataset-hub.js';
import { HeaderRow, HubSection, JobsTable, useHub, when } from './hub-parts.js';
import { percent } from './metrics-types.js';

/** The records list filtered to this dataset (and a label and split): a URL anyone may share. */
const recordsHref = (datasetId: number, filters: Record<string, string> = {}) => {
  const query = new URLSearchParams({ 'filters.datasetId': String(datasetId) });
  for (const [key, value] of Object.entries(filters)) query.set(`filters.${key}`, value);
  return `/admin/resources/records?${query.toString()}`;
};

const CountsTable: React.FC<{ hub: Hub }> = ({ hub }) => {
  const counts = hub.counts!.value;
  const splits = hub.splits.filter((s) => counts.some((c) => c.split === s));
  const labels = [
    ...hub.labels,
    ...counts.map((c) => c.label).filter((l): l is string => l !== null && !hub.labels.includes(l)),
  ];
  const rows: Array<string | null> = [...new Set(labels), ...(counts.some((c) => c.label === null) ? [null] : [])];
  const count = (label: string | null, split?: string) =>
    counts
      .filter((c) => c.label === label && (split === undefined || c.split === split))
      .reduce((n, c) => n + c.records, 0);
  const cell = (label: string | null, split: string | undefined) => {
    const n = count(label, split);
    if (n === 0 || label === null) return n.toLocaleString();
    return <Link href={recordsHref(hub.datasetId, { label, ...(split ? { split } : {}) })}>{n.toLocaleString()}</Link>;
  };
  return (
    <Table data-testid="hub-counts-table">
      <HeaderRow cells={['Label', ...splits.map((s) => s.charAt(0).toUpperCase() + s.slice(1)), 'All splits']} />
      <TableBody>
        {rows.map((label) => (
          <TableRow key={label ?? '(unlabelled)'} data-testid={`hub-count-${label ?? 'unlabelled'}`}>
            <TableCell>{label ?? <em>unlabelled</em>}</TableCell>
            {splits.map((s) => (
              <TableCell key={s}>{cell(label, s)}</TableCell>
            ))}
            <TableCell>{cell(label, undefined)}</TableCell>
          </TableRow>
        ))}
        <TableRow>
          <TableCell>
            <strong>All labels</strong>
          </TableCell>
          {splits.map((s) => (
            <TableCell key={s}>
              <Link href={recordsHref(hub.datasetId, { split: s })}>
                {counts
                  .filter((c) => c.split === s)
                  .reduce((n, c) => n + c.records, 0)
                  .toLocaleString()}
              </Link>
            </TableCell>
          ))}
          <TableCell>
            <Link href={recordsHref(hub.datasetId)}>{(hub.total ?? 0).toLocaleString()}</Link>
          </TableCell>
        </TableRow>
      </TableBody>
    </Table>
  );
};

/**
 * The dataset page's hub: its records counted by label and split (each count opens those records),
 * the models trained on it and what their production alias serves, and its recent imports.
 */
const DatasetHub: React.FC<ShowPropertyProps> = ({ record }) => {
  const { hub, error } = useHub<Hub>('datasets', record.id);
  if (error) return <Text color="error">{error}</Text>;
  if (!hub) return <Text mb="xl">Loading counts, models and imports…</Text>;
  return (
    <Box data-testid="dataset-hub">
      {hub.counts && (
        <HubSection
          title={`Records (${(hub.total ?? 0).toLocaleString()})`}
          testId="hub-records"
          more={{ href: recordsHref(hub.datasetId), label: 'Open its records' }}
        >
          {hub.total === 0 ? (
            <Text>No records yet: import a CSV file to add some.</Text>
          ) : (
            <>
              <CountsTable hub={hub} />
              <Text variant="sm" mt="sm">
                Counted {when(hub.counts.computedAt)}; deleted records are not counted.
              </Text>
            </>
          )}
        </HubSection>
      )}
      {hub.models && (
        <HubSection title="Models trained on it" testId="hub-models">
          {hub.models.length === 0 ? (
            <Text>No model uses this dataset yet.</Text>
          ) : (
            <Table>
              <HeaderRow cells={['Model', 'Production', 'Accuracy', 'Versions']} />
              <TableBody>
                {hub.models.map((m) => (
                  <TableRow key={m.id} data-testid={`hub-model-${m.name}`}>
                    <TableCell>
                      <Link href={`/admin/resources/models/records/${m.id}/show`}>{m.name}</Link>
                    </TableCell>
                    <TableCell>{m.production ? `v${m.production.version}` : '— (none promoted)'}</TableCell>
                    <TableCell>{percent(m.production?.accuracy)}</TableCell>
                    <TableCell>{m.versionCount}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </HubSection>
      )}
      {hub.imports && (
        <HubSection title={hub.importsScope === 'own' ? 'Your recent imports' : 'Recent imports'} testId="hub-imports">
          <JobsTable jobs={hub.imports} mayOpen empty="No imports into this dataset yet." />
        </HubSection>
      )}
    </Box>
  );
};

export default DatasetHub;
