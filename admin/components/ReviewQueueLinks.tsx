import React from 'react';
import { useCurrentAdmin, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Link, Text } from '@adminjs/design-system';

/** Roles that may build a queue (src/access/rules.ts reviewQueues.create); the server checks again. */
const BUILDERS = ['admin', 'data_scientist'];

/**
 * "Review" on a dataset's or a model version's page: its review queues, and a new one over this
 * dataset (or this version's predictions).
 */
const ReviewQueueLinks: React.FC<ShowPropertyProps> = ({ record, resource }) => {
  const [admin] = useCurrentAdmin();
  const isVersion = resource.id === 'modelVersions';
  const filter = isVersion ? `filters.modelVersionId=${record.id}` : `filters.datasetId=${record.id}`;
  const preset = isVersion ? `modelVersionId=${record.id}` : `datasetId=${record.id}`;
  return (
    <Box mb="xl" data-testid="review-queue-links">
      <Label>Review</Label>
      <Text>
        <Link href={`/admin/resources/reviewQueues?${filter}`}>
          Review queues of this {isVersion ? 'version' : 'dataset'}
        </Link>
        {BUILDERS.includes(String(admin?.role)) ? (
          <>
            {' · '}
            <Link href={`/admin/resources/reviewQueues/actions/create?${preset}`} data-testid="new-review-queue">
              New review queue
            </Link>
          </>
        ) : null}
      </Text>
    </Box>
  );
};

export default ReviewQueueLinks;
