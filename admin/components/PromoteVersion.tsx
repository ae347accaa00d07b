import React, { useState } from 'react';
import type { ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useRecordActionForm } from './use-record-action-form.js';

/** The "Promote" form: which alias should point at this version (production by default). */
const PromoteVersion: React.FC<ActionProps> = ({ record, resource }) => {
  const [alias, setAlias] = useState('production');
  const { busy, submit: post } = useRecordActionForm(resource.id, record?.id, 'promote');
  if (!record) return null;
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void post({ alias });
  };

  return (
    <Box as="form" variant="white" onSubmit={submit} data-testid="promote-form">
      <H3>Promote version {String(record.params.version)}</H3>
      <Text mb="lg">
        Point an alias of this model at this version. Clients that call the alias (the API serves{' '}
        <code>production</code> by default) switch at once; the move is recorded in the audit log and can be rolled back
        from Model aliases.
      </Text>
      <FormGroup>
        <Label htmlFor="alias">Alias</Label>
        <Input
          id="alias"
          name="alias"
          value={alias}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setAlias(e.target.value)}
        />
        <Text variant="sm" mt="sm">
          Lower case letters, digits, "-" and "_", starting with a letter, e.g. production or staging.
        </Text>
      </FormGroup>
      <Button variant="contained" type="submit" disabled={busy} data-testid="promote-submit">
        Promote
      </Button>
    </Box>
  );
};

export default PromoteVersion;
