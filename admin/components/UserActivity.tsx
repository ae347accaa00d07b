import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import { Box, Link, Table, TableBody, TableCell, TableRow, Text } from '@adminjs/design-system';
import type { UserActivity as Activity } from '../../src/users/user-activity.js';
import { HeaderRow, HubSection, StatusBadge, useHub, when } from './hub-parts.js';

/** "records.bulk_update" → "Records bulk update": the audit action as words. */
const actionWords = (action: string) => {
  const text = action.replace(/[._]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** What the event was about: "jobs #2" opening that row, or "records, 120 rows". */
const Target: React.FC<{ resource: string; ids: string[]; opens: boolean }> = ({ resource, ids, opens }) => {
  if (ids.length === 1 && opens)
    return <Link href={`/admin/resources/${resource}/records/${ids[0]}/show`}>{`${resource} #${ids[0]}`}</Link>;
  if (ids.length <= 1) return <>{ids.length === 0 ? resource : `${resource} #${ids[0]}`}</>;
  return <>{`${resource}, ${ids.length.toLocaleString()} rows`}</>;
};

/** The user page's recent activity: their latest audited actions, newest first, each opening its event. */
const UserActivity: React.FC<ShowPropertyProps> = ({ record }) => {
  const { hub, error } = useHub<Activity>('users', record.id);
  if (error) return <Text color="error">{error}</Text>;
  if (!hub) return <Text mb="xl">Loading recent activity…</Text>;
  if (!hub.events) return null;
  const all = new URLSearchParams({ 'filters.actorLabel': hub.email, sortBy: 'seq', direction: 'desc' });
  return (
    <Box data-testid="user-activity">
      <HubSection
        title="Recent activity"
        testId="hub-activity"
        more={{ href: `/admin/resources/auditEvents?${all.toString()}`, label: 'All their activity' }}
      >
        {hub.events.length === 0 ? (
          <Text>No recorded actions yet.</Text>
        ) : (
          <Table>
            <HeaderRow cells={['When', 'Action', 'On', 'Outcome']} />
            <TableBody>
              {hub.events.map((e) => (
                <TableRow key={e.seq} data-testid={`activity-${e.seq}`}>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    <Link href={`/admin/resources/auditEvents/records/${e.seq}/show`}>{when(e.at)}</Link>
                  </TableCell>
                  <TableCell>{actionWords(e.action)}</TableCell>
                  <TableCell>
                    <Target resource={e.resource} ids={e.recordIds} opens={e.opens} />
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={e.outcome} />
                    {e.reason && (
                      <Text variant="sm" title={e.reason}>
                        {e.reason.length > 80 ? `${e.reason.slice(0, 80)}…` : e.reason}
                      </Text>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </HubSection>
    </Box>
  );
};

export default UserActivity;
