import React from 'react';
import type { BasePropertyProps } from 'adminjs';

/**
 * A label in a list row, on one line whatever the column's width ("spam" never wraps as "spa m").
 * A predicted label that differs from the human label is shown in red, with the label on hover.
 */
const LabelCell: React.FC<BasePropertyProps> = ({ record, property }) => {
  const params = (record?.params ?? {}) as Record<string, unknown>;
  const value = params[property.path];
  if (value === null || value === undefined || value === '') return <span>—</span>;
  const label = params.label;
  const wrong = property.path === 'predictedLabel' && typeof label === 'string' && label !== '' && label !== value;
  return (
    <span
      style={{ whiteSpace: 'nowrap', ...(wrong ? { color: '#C0392B', fontWeight: 600 } : {}) }}
      title={wrong ? `Predicted ${String(value)}; labelled ${label}` : String(value)}
      data-misclassified={wrong ? 'true' : undefined}
    >
      {String(value)}
    </span>
  );
};

export default LabelCell;
