import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, CheckBox, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useRecordActionForm } from './use-record-action-form.js';

const api = new ApiClient();

interface Field {
  name: string;
  label: string;
  help: string;
  placeholder: string;
  /** Only for text models. */
  text?: boolean;
  type?: string;
}

const HYPERPARAMETERS: Field[] = [
  {
    name: 'l2',
    label: 'L2 regularisation',
    help: '0 to 1. Larger values keep weights small (less over-fitting). Default 3e-5 (tabular), 1e-6 (text).',
    placeholder: 'default',
  },
  {
    name: 'maxIterations',
    label: 'Max iterations',
    help: '1 to 10,000. The solver stops earlier once it has converged; a fit stopped by this cap is marked as not converged. Default 500.',
    placeholder: '500',
  },
  {
    name: 'minDf',
    label: 'Min document frequency (text)',
    help: '1 to 1000. Words in fewer training documents are ignored. Default 2.',
    placeholder: '2',
    text: true,
  },
  {
    name: 'maxFeatures',
    label: 'Max vocabulary (text)',
    help: '10 to 200,000. The most frequent words are kept. Default 20,000.',
    placeholder: '20000',
    text: true,
  },
];

const FILTER: Field[] = [
  {
    name: 'editedSince',
    label: 'Only rows edited since',
    help: 'Optional. Train only on train rows created or edited (e.g. relabelled) at or after this date (UTC).',
    placeholder: 'any time',
    type: 'date',
  },
  {
    name: 'tag',
    label: 'Only rows tagged',
    help: 'Optional. Train only on train rows carrying this tag.',
    placeholder: 'any tag',
  },
];

const REVIEWED_SINCE: Field = {
  name: 'reviewedSince',
  label: 'Retrain with records reviewed since',
  help: 'Optional. Records labelled through a review queue at or after this date (UTC).',
  placeholder: 'not specially',
  type: 'date',
};

/**
 * "Retrain" on a model (or on a dataset, choosing one of its models): hyperparameters and training
 * filter with their ranges; queues a job and opens its live progress page.
 */
const TrainForm: React.FC<ActionProps> = ({ record, resource }) => {
  const [values, setValues] = useState<Record<string, string>>({});
  const [models, setModels] = useState<string[] | null>(null);
  const onDataset = resource.id === 'datasets';
  const { busy, submit: post } = useRecordActionForm(resource.id, record?.id, 'train');
  useEffect(() => {
    if (!onDataset || !record) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'train' })
      .then((response) => {
        const names = (response.data as { models?: string[] }).models ?? [];
        setModels(names);
        if (names[0]) setValues((current) => ({ model: names[0]!, ...current }));
      })
      .catch(() => setModels([]));
  }, [resource.id, record?.id]);
  if (!record) return null;
  const isText = record.params.task === 'text-classification';
  const set = (name: string, value: string) => setValues({ ...values, [name]: value });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    void post(values);
  };
  const input = (field: Field, disabled = false) => (
    <FormGroup key={field.name}>
      <Label htmlFor={field.name}>{field.label}</Label>
      <Input
        id={field.name}
        name={field.name}
        type={field.type ?? 'text'}
        placeholder={field.placeholder}
        value={values[field.name] ?? ''}
        disabled={disabled}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => set(field.name, e.target.value)}
      />
      <Text variant="sm" mt="sm">
        {field.help}
      </Text>
    </FormGroup>
  );

  return (
    <Box as="form" variant="white" onSubmit={submit} data-testid="train-form">
      <H3>Retrain {onDataset ? `a model of ${String(record.params.name)}` : String(record.params.name)}</H3>
      <Text mb="lg">
        Trains a new version on the dataset's labelled train split and evaluates it on its test split, in the
        background. Leave a field empty for its default.
      </Text>
      {onDataset ? (
        <FormGroup>
          <Label htmlFor="model">Model</Label>
          {models && models.length === 0 ? (
            <Text>No model is trained on this dataset yet: create one under Models first.</Text>
          ) : (
            <select
              id="model"
              name="model"
              value={values.model ?? ''}
              onChange={(e) => set('model', e.target.value)}
              style={{ padding: 8, minWidth: 240 }}
            >
              {(models ?? []).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </FormGroup>
      ) : null}
      {HYPERPARAMETERS.filter((f) => isText || !f.text).map((f) => input(f))}
      <H3 mt="lg">Training rows</H3>
      {FILTER.map((f) => input(f))}
      <H3 mt="lg">Reviewed records</H3>
      <Text variant="sm" mb="default">
        Optional. Train rows labelled through a review queue of this dataset since a date (or since this model's latest
        version) are trained on, whatever the filters above say, except a held-out 20% (chosen by record id, the same
        records every time) that the new version is evaluated on: its page shows how many reviewed records it learned
        from and its metrics on the held-out ones.
      </Text>
      {input(
        values.reviewedSinceVersion === 'true'
          ? { ...REVIEWED_SINCE, help: 'Not needed: counted from the latest version (below).' }
          : REVIEWED_SINCE,
        values.reviewedSinceVersion === 'true',
      )}
      <FormGroup>
        <CheckBox
          id="reviewedSinceVersion"
          name="reviewedSinceVersion"
          checked={values.reviewedSinceVersion === 'true'}
          onChange={() =>
            setValues({
              ...values,
              reviewedSince: '',
              reviewedSinceVersion: values.reviewedSinceVersion === 'true' ? '' : 'true',
            })
          }
        />
        <Label inline htmlFor="reviewedSinceVersion" ml="default">
          Records reviewed since the latest version was created
        </Label>
        <Text variant="sm" mt="sm">
          The labels the current version never saw. If no record was labelled through a review queue in that time, the
          job stops and says so.
        </Text>
      </FormGroup>
      <FormGroup>
        <CheckBox
          id="autoPromote"
          name="autoPromote"
          checked={values.autoPromote === 'true'}
          onChange={() => set('autoPromote', values.autoPromote === 'true' ? '' : 'true')}
        />
        <Label inline htmlFor="autoPromote" ml="default">
          Promote to production if better
        </Label>
        <Text variant="sm" mt="sm">
          The new version replaces production only if it beats it on the model's auto-promote metric by its margin (set
          on the model; default: accuracy, 0.005). The decision is recorded in the audit log either way.
        </Text>
      </FormGroup>
      <FormGroup>
        <CheckBox
          id="search"
          name="search"
          checked={values.search === 'true'}
          onChange={() => set('search', values.search === 'true' ? '' : 'true')}
        />
        <Label inline htmlFor="search" ml="default">
          Choose L2 strength (and, for text, vocabulary) by 5-fold cross-validation — slower
        </Label>
        <Text variant="sm" mt="sm">
          Tries {isText ? 'up to 19 settings' : '9 L2 strengths'} on five splits of the train rows and keeps the one
          with the lowest held-out log loss, then trains on all of them: about {isText ? '95' : '45'} fits instead of
          one. Leave L2 regularisation empty: the search chooses it. The version page lists every setting tried.
        </Text>
      </FormGroup>
      <FormGroup>
        <CheckBox
          id="calibrate"
          name="calibrate"
          checked={values.calibrate === 'true'}
          onChange={() => set('calibrate', values.calibrate === 'true' ? '' : 'true')}
        />
        <Label inline htmlFor="calibrate" ml="default">
          Calibrate probabilities (temperature scaling on 15% of train)
        </Label>
        <Text variant="sm" mt="sm">
          Holds out 15% of the train rows, fits the model on the rest, then scales its confidence so that its
          probabilities match how often it is right on the held-out rows. The predicted labels do not change.
        </Text>
      </FormGroup>
      <Button
        variant="contained"
        type="submit"
        disabled={busy || (onDataset && !values.model)}
        data-testid="train-submit"
      >
        Start training
      </Button>
    </Box>
  );
};

export default TrainForm;
