import React, { useEffect, useState } from 'react';
import { PropertyLabel, type FilterPropertyProps } from 'adminjs';
import { FormGroup, Select } from '@adminjs/design-system';
import { loadFilterChoices, type FilterChoices } from './filter-choices.js';

interface Option {
  value: string;
  label: string;
}

/** The options of one dropdown: `custom.choices` on the property says which list ('labels' or 'versions'). */
function optionsOf(choices: FilterChoices | null, which: unknown): Option[] {
  if (!choices) return [];
  if (which === 'versions') return choices.versions.map((v) => ({ value: String(v.id), label: v.name }));
  return choices.labels.map((label) => ({ value: label, label }));
}

/**
 * A record-list filter chosen from a list: the labels of the dataset the list is filtered by (for
 * label and predicted label), or its models' versions by name ("spam-filter v2", for "scored by").
 */
const ChoiceFilter: React.FC<FilterPropertyProps> = ({ property, filter, onChange }) => {
  const values = (filter ?? {}) as Record<string, unknown>;
  const datasetId = String(values.datasetId ?? '');
  const [choices, setChoices] = useState<FilterChoices | null>(null);
  useEffect(() => {
    let current = true;
    loadFilterChoices(datasetId)
      .then((loaded) => current && setChoices(loaded))
      .catch(() => current && setChoices({ labels: [], versions: [] }));
    return () => {
      current = false;
    };
  }, [datasetId]);
  const options = optionsOf(choices, (property.custom as { choices?: unknown } | undefined)?.choices);
  const value = String(values[property.path] ?? '');
  // A value from a shared URL that is not among the choices is still shown (and can be cleared).
  const selected = value ? (options.find((o) => o.value === value) ?? { value, label: value }) : null;
  return (
    <FormGroup variant="filter" data-testid={`choice-filter-${property.path}`}>
      <PropertyLabel property={property} filter />
      <Select
        variant="filter"
        inputId={`filter-${property.path}`}
        value={selected}
        isClearable
        isLoading={choices === null}
        placeholder={datasetId ? 'Any' : 'Any (choose a dataset for its labels)'}
        options={options}
        onChange={(option: Option | null) => onChange(property.path, option ? option.value : '')}
      />
    </FormGroup>
  );
};

export default ChoiceFilter;
