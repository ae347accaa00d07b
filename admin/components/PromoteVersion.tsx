import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';

const api = new ApiClient();

/** The "Promote" form: which alias should point at this version (production by default). */
const PromoteVersion: React.FC<ActionProps> = ({ record, resource }) => {
  const [alias, setAlias] = useState('production');
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  if (!record) return null;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'promote', method: 'post', data: { alias } });
      if (response.data.notice) addNotice(response.data.notice);
      if (response.data.redirectUrl && response.data.notice?.type !== 'error') navigate(response.data.redirectUrl);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box as="form" variant="white" onSubmit={submit} data-testid="promote-form">
      <H3>Promote version {String(record.params.version)}</H3>
      <Text mb="lg">
        Point an alias of this model at this version. Clients that call the alias (the API serves <code>production</code> by
        default) switch at once; the move is recorded in the audit log and can be rolled back from Model aliases.
      </Text>
      <FormGroup>
        <Label htmlFor="alias">Alias</Label>
        <Input id="alias" name="alias" value={alias} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setAlias(e.target.value)} />
        <Text variant="sm" mt="sm">Lower case letters, digits, "-" and "_", starting with a letter, e.g. production or staging.</Text>
      </FormGroup>
      <Button variant="contained" type="submit" disabled={busy} data-testid="promote-submit">
        Promote
      </Button>
    </Box>
  );
};

export default PromoteVersion;
