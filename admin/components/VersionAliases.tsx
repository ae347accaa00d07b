import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Badge } from '@adminjs/design-system';

/** The aliases pointing at a version, as badges (production green); "—" for none. */
const VersionAliases: React.FC<BasePropertyProps> = ({ record }) => {
  const aliases = String(record?.params?.aliases ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (aliases.length === 0) return <span>—</span>;
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      {aliases.map((a) => (
        <Badge key={a} size="sm" mr="sm" variant={a === 'production' ? 'success' : 'info'}>
          {a}
        </Badge>
      ))}
    </span>
  );
};

export default VersionAliases;
