import React from 'react';
import { PropertyLabel, type FilterPropertyProps } from 'adminjs';
import { Box, FormGroup, Input, Label } from '@adminjs/design-system';

/**
 * A number filter as a range (`filters.score~~from`, `filters.score~~to`), either end optional: from 0 to
 * 1 (score, margin) or to the property's `custom.max` (entropy, in nats).
 */
const ScoreRangeFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange }) => {
  const values = (filter ?? {}) as Record<string, unknown>;
  const max = Number((property.custom as { max?: unknown } | undefined)?.max ?? 1);
  const end = (which: 'from' | 'to') => {
    const key = `${property.path}~~${which}`;
    return (
      // minWidth 0: a number input's own width would push the pair past the drawer's edge
      <Box style={{ flex: 1, minWidth: 0 }}>
        <Label htmlFor={`filter-${key}`}>{which === 'from' ? 'At least' : 'At most'}</Label>
        <Input
          id={`filter-${key}`}
          type="number"
          min={0}
          max={max}
          step={0.05}
          placeholder={which === 'from' ? '0' : String(max)}
          value={String(values[key] ?? '')}
          onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(key, event.target.value)}
          style={{ width: '100%' }}
        />
      </Box>
    );
  };
  return (
    <FormGroup variant="filter">
      <PropertyLabel property={property} filter />
      <Box flex flexDirection="row" style={{ gap: 12 }}>
        {end('from')}
        {end('to')}
      </Box>
    </FormGroup>
  );
};

export default ScoreRangeFilter;
