import React from 'react';
import type { BasePropertyProps } from 'adminjs';

/** A probability in a list row with three decimals (0.994, not 0.99447012), on one line. */
const ScoreCell: React.FC<BasePropertyProps> = ({ record, property }) => {
  const raw: unknown = (record?.params ?? {})[property.path];
  const value = Number(raw);
  if (raw === null || raw === undefined || raw === '' || !Number.isFinite(value)) return <span>—</span>;
  return (
    <span style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }} title={String(raw)}>
      {value.toFixed(3)}
    </span>
  );
};

export default ScoreCell;
