import React from 'react';
import { flat, useTranslation, type ShowPropertyProps } from 'adminjs';
import { Box, Label, Text } from '@adminjs/design-system';

interface Pair {
  label: string;
  probability: number;
}

/** A prediction's probability per label, highest first, with a bar each (labels are shown as text, whatever they contain). */
const Probabilities: React.FC<ShowPropertyProps> = ({ record, property }) => {
  const { translateProperty } = useTranslation();
  const value = flat.unflatten<unknown, Record<string, unknown>>(record.params)[property.path];
  const pairs = (Array.isArray(value) ? (value as Pair[]) : [])
    .filter((p) => typeof p?.probability === 'number')
    .sort((a, b) => b.probability - a.probability);
  return (
    <Box mb="xl" data-testid="probabilities">
      <Label>{translateProperty(property.label, property.resourceId)}</Label>
      {pairs.length === 0 ? (
        <span>—</span>
      ) : (
        pairs.map((pair) => (
          <Box key={pair.label} flex flexDirection="row" alignItems="center" style={{ gap: 8, maxWidth: 480 }}>
            <Text style={{ width: 160, overflow: 'hidden', textOverflow: 'ellipsis' }} title={pair.label}>
              {pair.label}
            </Text>
            <Box style={{ flex: 1, background: '#EEF0FB', height: 10 }}>
              <Box style={{ width: `${Math.round(pair.probability * 100)}%`, background: '#3040D6', height: 10 }} />
            </Box>
            <Text style={{ width: 64, textAlign: 'right' }}>{(pair.probability * 100).toFixed(1)}%</Text>
          </Box>
        ))
      )}
    </Box>
  );
};

export default Probabilities;
