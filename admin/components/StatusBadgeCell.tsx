import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Badge } from '@adminjs/design-system';
import { statusTone } from './status-tone.js';

/** A status or outcome (job status, audit outcome) as a badge coloured by its meaning, capitalised. */
const StatusBadgeCell: React.FC<BasePropertyProps> = ({ record, property }) => {
  const raw: unknown = (record?.params ?? {})[property.path];
  if (raw === null || raw === undefined || raw === '') return <span>—</span>;
  const status = String(raw);
  const words = status.replace(/_/g, ' ');
  return (
    <Badge variant={statusTone(status)} size="sm" style={{ whiteSpace: 'nowrap' }} data-tone={statusTone(status)}>
      {words.charAt(0).toUpperCase() + words.slice(1)}
    </Badge>
  );
};

export default StatusBadgeCell;
