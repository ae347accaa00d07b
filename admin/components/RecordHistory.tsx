import React from 'react';
import { useCurrentAdmin, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Link, Text } from '@adminjs/design-system';

/** Roles that may read the audit log (the server checks again when the link is followed). */
const AUDIT_READERS = ['admin', 'auditor'];

/** "History of this record": the audit log filtered to this resource and id, for those who may read it. */
const RecordHistory: React.FC<ShowPropertyProps> = ({ record, resource }) => {
  const [currentAdmin] = useCurrentAdmin();
  if (!AUDIT_READERS.includes(String(currentAdmin?.role))) return null;
  const query = new URLSearchParams({
    'filters.resource': resource.id,
    'filters.recordIds': String(record.id),
    sortBy: 'seq',
    direction: 'desc',
  });
  return (
    <Box mb="xl">
      <Label>History</Label>
      <Text>
        <Link href={`/admin/resources/auditEvents?${query.toString()}`} data-testid="record-history">
          Every recorded action on this {resource.name.replace(/s$/, '').toLowerCase()}, in the audit log
        </Link>
      </Text>
    </Box>
  );
};

export default RecordHistory;
