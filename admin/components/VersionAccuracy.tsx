import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { percent } from './metrics-types.js';

/** A version's test accuracy in the versions list ("98.4%"; "—" when it was not evaluated). */
const VersionAccuracy: React.FC<BasePropertyProps> = ({ record }) => {
  const value = Number(record?.params?.['metrics.accuracy']);
  return (
    <span>{percent(Number.isFinite(value) && record?.params?.['metrics.accuracy'] !== undefined ? value : null)}</span>
  );
};

export default VersionAccuracy;
