import React from 'react';
import type { ActionProps } from 'adminjs';
import { Box, Button, H3, MessageBox, Text } from '@adminjs/design-system';
import { useRecordActionForm } from './use-record-action-form.js';

/**
 * The confirmation page of a record action that changes something and asks nothing else (cancel a
 * job, revoke a key, roll an alias back). AdminJS would send such a button as a GET; this page asks
 * `action.custom.question` and sends a POST, with the CSRF token, so a GET never changes data.
 */
const ConfirmAction: React.FC<ActionProps> = ({ action, record, resource }) => {
  const { busy, error, submit } = useRecordActionForm(resource.id, record?.id, action.name);
  const question = (action.custom as { question?: string } | undefined)?.question ?? `${action.label}: are you sure?`;
  return (
    <Box variant="white" data-testid="confirm-action">
      <H3>
        {action.label}: {record?.title}
      </H3>
      <Text mb="xl">{question}</Text>
      {error ? <MessageBox variant="danger" mb="lg" message={error} /> : null}
      <Button
        variant="contained"
        color="danger"
        disabled={busy}
        onClick={() => void submit({})}
        data-testid="confirm-action-submit"
      >
        {action.label}
      </Button>
    </Box>
  );
};

export default ConfirmAction;
