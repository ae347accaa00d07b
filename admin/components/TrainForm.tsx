import React, { useState } from 'react';
import type { ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useRecordActionForm } from './use-record-action-form.js';

const FIELDS: Array<{ name: string; label: string; help: string; placeholder: string; text?: boolean }> = [
  { name: 'l2', label: 'L2 regularisation', help: '0 to 1. Larger values keep weights small (less over-fitting). Default 1e-4 (tabular), 1e-5 (text).', placeholder: 'default' },
  { name: 'learningRate', label: 'Learning rate', help: 'Above 0, at most 1. Adam step size. Default 0.05 (tabular), 0.1 (text).', placeholder: 'default' },
  { name: 'maxEpochs', label: 'Max epochs', help: '1 to 500. Training stops earlier when the validation loss stops improving. Default 60.', placeholder: '60' },
  { name: 'minDf', label: 'Min document frequency (text)', help: '1 to 1000. Words in fewer training documents are ignored. Default 2.', placeholder: '2', text: true },
  { name: 'maxFeatures', label: 'Max vocabulary (text)', help: '10 to 200,000. The most frequent words are kept. Default 20,000.', placeholder: '20000', text: true },
];

/** "Train new version": hyperparameters with their ranges; queues a job and opens its progress page. */
const TrainForm: React.FC<ActionProps> = ({ record, resource }) => {
  const [values, setValues] = useState<Record<string, string>>({});
  const { busy, submit: post } = useRecordActionForm(resource.id, record?.id, 'train');
  if (!record) return null;
  const isText = record.params.task === 'text-classification';
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void post(values);
  };

  return (
    <Box as="form" variant="white" onSubmit={submit} data-testid="train-form">
      <H3>Train a new version of {String(record.params.name)}</H3>
      <Text mb="lg">Trains on the dataset's labelled train split and evaluates on its test split, in the background. Leave a field empty for its default.</Text>
      {FIELDS.filter((f) => isText || !f.text).map((field) => (
        <FormGroup key={field.name}>
          <Label htmlFor={field.name}>{field.label}</Label>
          <Input
            id={field.name}
            name={field.name}
            placeholder={field.placeholder}
            value={values[field.name] ?? ''}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setValues({ ...values, [field.name]: e.target.value })}
          />
          <Text variant="sm" mt="sm">{field.help}</Text>
        </FormGroup>
      ))}
      <Button variant="contained" type="submit" disabled={busy} data-testid="train-submit">
        Start training
      </Button>
    </Box>
  );
};

export default TrainForm;
