import React from 'react';
import type { BasePropertyProps } from 'adminjs';

/**
 * A text value in a list: one line, cut with "…" past the column's width (admin/assets/console.css,
 * `.md-cell`), the whole value on hover and on the row's page. Values with a list of choices (badges)
 * and other types keep AdminJS's own rendering.
 */
const ListValue: React.FC<BasePropertyProps & { OriginalComponent?: React.ComponentType<BasePropertyProps> }> = (
  props,
) => {
  const { OriginalComponent, property, record } = props;
  const raw = record?.params[property.path] as unknown;
  if ((typeof raw === 'string' || typeof raw === 'number') && !property.availableValues?.length)
    return (
      <span className="md-cell" title={String(raw)}>
        {String(raw)}
      </span>
    );
  return OriginalComponent ? <OriginalComponent {...props} /> : null;
};

export default ListValue;
