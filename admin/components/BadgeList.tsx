import React from 'react';
import { flat, useTranslation, type BasePropertyProps } from 'adminjs';
import { Badge, ValueGroup } from '@adminjs/design-system';

/**
 * A text[] column as its values ("predict", "records:read"; "Adelie", "Chinstrap"), one badge each,
 * instead of AdminJS's "Length: 2" in lists and a numbered box per item on show pages.
 */
const BadgeList: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateProperty } = useTranslation();
  const values = (flat.get(record?.params ?? {}, property.path) as unknown[] | undefined) ?? [];
  const badges = (
    <span data-testid={`badges-${property.path}`} style={{ whiteSpace: 'nowrap' }}>
      {values.length === 0
        ? 'none'
        : values.map((value) => (
            <Badge key={String(value)} size="sm" mr="sm" variant="default">
              {String(value)}
            </Badge>
          ))}
    </span>
  );
  if (where !== 'show') return badges;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{badges}</ValueGroup>;
};

export default BadgeList;
