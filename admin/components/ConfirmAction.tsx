import React, { useEffect, useState } from 'react';
import { ApiClient, useTranslation, type ActionProps } from 'adminjs';
import { Box, Button, H3, MessageBox, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import type { Confirmation } from './confirmation.js';
import { useRecordActionForm } from './use-record-action-form.js';

const api = new ApiClient();

/**
 * The confirmation page of a record action that changes something and asks nothing else (cancel a
 * job, revoke a key, roll an alias back). AdminJS would send such a button as a GET; this page says
 * what exactly will happen (the action's GET answers a `confirmation`; else `action.custom.question`)
 * and sends a POST, with the CSRF token, so a GET never changes data.
 */
const ConfirmAction: React.FC<ActionProps> = ({ action, record, resource }) => {
  const { busy, error, submit } = useRecordActionForm(resource.id, record?.id, action.name);
  const { translateAction } = useTranslation();
  const navigate = useNavigate();
  const label = translateAction(action.label, resource.id);
  const fallback: Confirmation = {
    title: `${label}: ${record?.title ?? ''}`,
    body: (action.custom as { question?: string } | undefined)?.question ?? `${label}: are you sure?`,
    button: label,
  };
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  useEffect(() => {
    if (!record?.id) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name })
      .then((response) => setConfirmation((response.data as { confirmation?: Confirmation }).confirmation ?? fallback))
      .catch(() => setConfirmation(fallback));
  }, [resource.id, record?.id, action.name]);
  if (!confirmation) return <Box variant="white" data-testid="confirm-action-loading" />;
  return (
    <Box variant="white" data-testid="confirm-action">
      <H3 data-testid="confirm-action-title">{confirmation.title}</H3>
      {confirmation.body ? <Text mb="xl">{confirmation.body}</Text> : null}
      {confirmation.problem ? (
        <MessageBox variant="info" mb="lg" message={confirmation.problem} data-testid="confirm-action-problem" />
      ) : null}
      {error ? <MessageBox variant="danger" mb="lg" message={error} /> : null}
      <Box flex flexDirection="row" style={{ gap: 12 }}>
        {confirmation.problem ? null : (
          <Button
            variant="contained"
            color="danger"
            disabled={busy}
            onClick={() => void submit({})}
            data-testid="confirm-action-submit"
          >
            {confirmation.button}
          </Button>
        )}
        <Button variant="outlined" type="button" onClick={() => navigate(-1)} data-testid="confirm-action-back">
          Go back
        </Button>
      </Box>
    </Box>
  );
};

export default ConfirmAction;
