import React from 'react';
import { useResource } from 'adminjs';
import { Box, Button, Text } from '@adminjs/design-system';

/**
 * "Revert…" for a change-set, shown only when the server offered the signed-in person the records'
 * revert action (the rule table decides; the revert page and its POST are checked again).
 */
export const RevertLink: React.FC<{ changeSetId: number; what: string }> = ({ changeSetId, what }) => {
  const records = useResource('records');
  if (!records?.resourceActions.some((action) => action.name === 'revert')) return null;
  return (
    <Box mt="lg" flex flexDirection="row" style={{ gap: 12, alignItems: 'center' }} data-testid="job-revert">
      <Button
        as="a"
        size="sm"
        variant="outlined"
        href={`/admin/resources/records/actions/revert?changeSetId=${changeSetId}`}
        data-testid="job-revert-link"
      >
        Revert…
      </Button>
      <Text variant="sm">
        Undo {what}: a preview shows what would go back and what was changed since, before anything is written.
      </Text>
    </Box>
  );
};
