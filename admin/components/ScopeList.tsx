import React from 'react';
import { flat, type BasePropertyProps } from 'adminjs';
import { Badge, Box, Label } from '@adminjs/design-system';

/** An API key's scopes as their names ("predict", "records:read"), not AdminJS's "Length: 2". */
const ScopeList: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const scopes = (flat.get(record?.params ?? {}, property.path) as unknown[] | undefined) ?? [];
  const badges = (
    <span data-testid="api-key-scopes" style={{ whiteSpace: 'nowrap' }}>
      {scopes.length === 0
        ? 'none'
        : scopes.map((scope) => (
            <Badge key={String(scope)} size="sm" mr="sm" variant="default">
              {String(scope)}
            </Badge>
          ))}
    </span>
  );
  if (where !== 'show') return badges;
  return (
    <Box mb="xl">
      <Label>{property.label}</Label>
      {badges}
    </Box>
  );
};

export default ScopeList;
