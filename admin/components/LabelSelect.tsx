import React from 'react';
import { useTranslation, type EditPropertyProps } from 'adminjs';
import { FormGroup, FormMessage, Label, Text } from '@adminjs/design-system';
import ChoiceSelect from './ChoiceSelect.js';

/** The labels of the record's dataset, from the dataset row the form already holds (AdminJS flattens `labels` to `labels.0`…). */
function datasetLabels(populated: EditPropertyProps['record']['populated'][string] | undefined): string[] | null {
  if (!populated) return null;
  return Object.entries(populated.params)
    .filter(([key]) => /^labels\.\d+$/.test(key))
    .sort(([a], [b]) => Number(a.slice(7)) - Number(b.slice(7)))
    .map(([, value]) => String(value));
}

/**
 * A record's label as a choice among its dataset's labels (no typos to refuse). Before a new record
 * has a dataset, the choice waits for it; a stored label the dataset no longer lists stays visible.
 */
const LabelSelect: React.FC<EditPropertyProps> = ({ property, record, resource, onChange }) => {
  const { translateProperty } = useTranslation();
  const value = String(record.params[property.path] ?? '');
  const labels = datasetLabels(record.populated.datasetId);
  const error = record.errors[property.path];
  const id = `record-${property.path}`;
  return (
    <FormGroup error={Boolean(error)}>
      <Label htmlFor={id}>{translateProperty(property.label, resource.id)}</Label>
      {labels === null ? (
        <Text variant="sm" color="grey60" data-testid="label-needs-dataset">
          Pick the dataset first: its labels are offered here.
        </Text>
      ) : (
        <ChoiceSelect
          id={id}
          name={property.path}
          value={value}
          choices={labels}
          blank="No label (not yet labelled)"
          stray={(label) => `${label} (not one of the dataset's labels)`}
          onChange={(label) => onChange(property.path, label)}
        />
      )}
      {property.description ? (
        <Text variant="sm" mt="sm" color="grey60">
          {property.description}
        </Text>
      ) : null}
      <FormMessage>{error?.message}</FormMessage>
    </FormGroup>
  );
};

export default LabelSelect;
