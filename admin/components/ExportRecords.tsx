import React from 'react';
import type { ActionProps } from 'adminjs';
import { Box, H3, Link, Text } from '@adminjs/design-system';

/** The list view's filters and sort (this opens in a drawer over the list, with its URL). */
function listQuery(): URLSearchParams {
  const params = new URLSearchParams(window.location.search);
  const kept = new URLSearchParams();
  for (const [key, value] of params)
    if (key.startsWith('filters.') || key === 'sortBy' || key === 'direction') kept.set(key, value);
  return kept;
}

/** Export the records of the current list view (filters and sort), as CSV or JSON lines, any size. */
const ExportRecords: React.FC<ActionProps> = () => {
  const query = listQuery();
  const filters = [...query.keys()].filter((k) => k.startsWith('filters.'));
  const href = (format: string) => `/admin/exports/records.${format}${query.toString() ? `?${query.toString()}` : ''}`;
  return (
    <Box variant="white" data-testid="export-records">
      <H3>Export records</H3>
      <Text mb="lg">
        {filters.length > 0
          ? `The records matching the list's ${filters.length} filter${filters.length === 1 ? '' : 's'} (${filters.map((f) => f.slice(8)).join(', ')}), in the list's order.`
          : "All records (no filter is set on the list), in the list's order. Set filters on the list first to export fewer."}{' '}
        The file is streamed, so any number of records works; features, tags and probabilities are JSON in CSV cells.
        "Import CSV" on the dataset reads the CSV back as it is: records whose cells you did not edit stay unchanged.
        The export is recorded in the audit log.
      </Text>
      <Link href={href('csv')} data-testid="export-records-csv" mr="xl">
        Download CSV
      </Link>
      <Link href={href('jsonl')} data-testid="export-records-jsonl">
        Download JSON lines
      </Link>
    </Box>
  );
};

export default ExportRecords;
