import React from 'react';
import { PropertyLabel, type FilterPropertyProps } from 'adminjs';
import { FormGroup, Input } from '@adminjs/design-system';

/** A free-text record-list filter for a property AdminJS would not offer one for (tags: an array column). */
const TextFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange }) => (
  <FormGroup variant="filter" data-testid={`text-filter-${property.path}`}>
    <PropertyLabel property={property} filter />
    <Input
      id={`filter-${property.path}`}
      name={`filter-${property.path}`}
      value={String((filter as Record<string, unknown> | undefined)?.[property.path] ?? '')}
      onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(property.path, event.target.value)}
    />
  </FormGroup>
);

export default TextFilter;
