import React from 'react';
import { Box, FormGroup, Input, Label } from '@adminjs/design-system';
import ChoiceSelect from './ChoiceSelect.js';

/** The filters "all matching" forms offer (bulk edit, scoring), as names of src/records/record-selection.ts's RecordFilter. */
export const RECORD_FILTERS = [
  { name: 'datasetId', label: 'Dataset id' },
  { name: 'split', label: 'Split is' },
  { name: 'label', label: 'Label is' },
  { name: 'predictedLabel', label: 'Predicted label is' },
  { name: 'tag', label: 'Has tag' },
  { name: 'text', label: 'Text contains' },
] as const;

/** The list's prediction filters, which "Edit all matching" also keeps (RecordFilter takes them). */
export const PREDICTION_FILTERS = [
  { name: 'scoredByVersionId', label: 'Scored by version id' },
  { name: 'misclassified', label: 'Misclassified (true/false)' },
  { name: 'scoreFrom', label: 'Score at least' },
  { name: 'scoreTo', label: 'Score at most' },
] as const;

/** Where the record list's URL keeps a filter whose name differs from the selection's. */
const URL_NAMES: Readonly<Record<string, string>> = { tag: 'tags', scoreFrom: 'score~~from', scoreTo: 'score~~to' };

/** The list's filters when the URL carries them (filters.X=…), to start "all matching" from them. */
export function filtersFromUrl(filters: ReadonlyArray<{ name: string }>): Record<string, string> {
  const params = new URLSearchParams(window.location.search);
  const values: Record<string, string> = {};
  for (const { name } of filters) {
    const value = params.get(`filters.${name}`) ?? (URL_NAMES[name] ? params.get(`filters.${URL_NAMES[name]}`) : null);
    if (value) values[`filter.${name}`] = value;
  }
  return values;
}

/**
 * The filter inputs of an "all matching" form; values are kept as `filter.<name>`. A filter with
 * `choices` (the dataset's labels, the splits) is a dropdown with "Any" first, so it cannot be mistyped.
 */
export const RecordFilterInputs: React.FC<{
  title: string;
  filters: ReadonlyArray<{ name: string; label: string }>;
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  choices?: Readonly<Record<string, readonly string[]>>;
}> = ({ title, filters, values, onChange, choices = {} }) => (
  <Box mb="lg">
    <Label>{title}</Label>
    <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 12 }}>
      {filters.map((f) => {
        const name = `filter.${f.name}`;
        const value = values[name] ?? '';
        const options = choices[f.name];
        return (
          <FormGroup key={f.name} style={{ minWidth: 180 }}>
            <Label htmlFor={name}>{f.label}</Label>
            {options ? (
              <ChoiceSelect
                id={name}
                value={value}
                choices={options}
                blank="Any"
                stray={(option) => `${option} (not a choice here)`}
                onChange={(option) => onChange(name, option)}
              />
            ) : (
              <Input
                id={name}
                value={value}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(name, e.target.value)}
              />
            )}
          </FormGroup>
        );
      })}
    </Box>
  </Box>
);
