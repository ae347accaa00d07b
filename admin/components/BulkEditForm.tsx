import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import { loadFilterChoices } from './filter-choices.js';
import { PREDICTION_FILTERS, RECORD_FILTERS, RecordFilterInputs, filtersFromUrl } from './record-filters.js';
import { bulkEditOutcome } from './bulk-edit-outcome.js';
import ChoiceSelect from './ChoiceSelect.js';

const FILTERS = [...RECORD_FILTERS, ...PREDICTION_FILTERS];
const SPLITS = ['train', 'test', 'holdout'] as const;

const api = new ApiClient();

interface Preview {
  matching: number;
  changing: number;
  invalid: { count: number; firstIds: number[]; reason: string } | null;
}

const TAG_CHANGES = [
  { name: 'addTags', label: 'Add tags', help: 'Comma-separated, e.g. reviewed, hard-ham.' },
  { name: 'removeTags', label: 'Remove tags', help: 'Comma-separated.' },
];

/** Bulk edit: the selected records, or all matching a filter; preview the count, then apply. */
const BulkEditForm: React.FC<ActionProps> = ({ resource, records, action }) => {
  const matchingMode = action.name === 'bulkEditMatching';
  const [values, setValues] = useState<Record<string, string>>(matchingMode ? () => filtersFromUrl(FILTERS) : {});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const recordIds = (records ?? []).map((r) => r.id);
  // The labels offered: the selected records' dataset, or the one the filter names (else every dataset's).
  const datasetId = String(
    (matchingMode ? values['filter.datasetId'] : ((records ?? [])[0]?.params?.datasetId as unknown)) ?? '',
  );
  const [labels, setLabels] = useState<string[]>([]);
  useEffect(() => {
    let current = true;
    loadFilterChoices(datasetId)
      .then((choices) => current && setLabels(choices.labels))
      .catch(() => current && setLabels([]));
    return () => {
      current = false;
    };
  }, [datasetId]);
  const set = (name: string, value: string) => {
    setValues({ ...values, [name]: value });
    setPreview(null);
  };
  const call = async (mode: 'preview' | 'apply') => {
    setBusy(true);
    try {
      // The list's own query (filters, sort, page size), to go back to the same list afterwards.
      const data = { ...values, mode, listSearch: window.location.search };
      const response = matchingMode
        ? await api.resourceAction({ resourceId: resource.id, actionName: action.name, method: 'post', data })
        : await api.bulkAction({ resourceId: resource.id, actionName: action.name, recordIds, method: 'post', data });
      const body = response.data as {
        preview?: Preview;
        notice?: { message: string; type: 'success' | 'error' };
        redirectUrl?: string;
      };
      if (body.preview) setPreview(body.preview);
      if (body.notice) addNotice(body.notice);
      if (mode === 'apply' && body.redirectUrl && body.notice?.type !== 'error') navigate(body.redirectUrl);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box variant="white" data-testid="bulk-edit">
      <H3>
        {matchingMode
          ? 'Edit all records matching a filter'
          : `Edit ${recordIds.length} selected record${recordIds.length === 1 ? '' : 's'}`}
      </H3>
      <Text mb="lg">
        Preview first: it counts the records and checks that every one can take the change. Apply writes all of them in
        one transaction (large edits run as a job with progress); if any record cannot take it, nothing is changed. The
        edit is recorded in the audit log with the records' previous values.
      </Text>
      {matchingMode ? (
        <RecordFilterInputs title="Which records" filters={FILTERS} values={values} onChange={set} />
      ) : null}
      <Label>Change</Label>
      <FormGroup>
        <Label htmlFor="label">Set label</Label>
        <ChoiceSelect
          id="label"
          name="label"
          value={values.label ?? ''}
          choices={labels}
          blank="Leave labels as they are"
          onChange={(label) => set('label', label)}
        />
        <Text variant="sm" mt="sm">
          {datasetId
            ? "One of the dataset's labels."
            : 'Labels of every dataset; choose a dataset to see only its own.'}
        </Text>
      </FormGroup>
      <FormGroup>
        <Label htmlFor="split">Set split</Label>
        <ChoiceSelect
          id="split"
          name="split"
          value={values.split ?? ''}
          choices={SPLITS}
          blank="Leave splits as they are"
          onChange={(split) => set('split', split)}
        />
        <Text variant="sm" mt="sm">
          train: used to fit models; test: to measure them; holdout: kept back for a final check.
        </Text>
      </FormGroup>
      {TAG_CHANGES.map((c) => (
        <FormGroup key={c.name}>
          <Label htmlFor={c.name}>{c.label}</Label>
          <Input
            id={c.name}
            name={c.name}
            value={values[c.name] ?? ''}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => set(c.name, e.target.value)}
          />
          <Text variant="sm" mt="sm">
            {c.help}
          </Text>
        </FormGroup>
      ))}
      {preview ? (
        <Box
          mb="lg"
          p="lg"
          style={{ border: `2px solid ${preview.invalid ? '#C0392B' : '#3040D6'}`, borderRadius: 6 }}
          data-testid="bulk-preview"
        >
          <Text fontWeight="bold" data-testid="bulk-preview-summary">
            {bulkEditOutcome(preview)}
          </Text>
          {preview.invalid ? (
            <Text color="error" mt="sm" data-testid="bulk-invalid">
              Nothing can be applied: {preview.invalid.count.toLocaleString('en')} of the records cannot take this
              change (first ids: {preview.invalid.firstIds.join(', ')}): {preview.invalid.reason}.
            </Text>
          ) : null}
        </Box>
      ) : null}
      <Box flex flexDirection="row" style={{ gap: 12 }}>
        <Button
          type="button"
          variant="outlined"
          onClick={() => void call('preview')}
          disabled={busy}
          data-testid="bulk-preview-button"
        >
          Preview
        </Button>
        <Button
          type="button"
          variant="contained"
          onClick={() => void call('apply')}
          disabled={busy || !preview || Boolean(preview.invalid) || preview.changing === 0}
          data-testid="bulk-apply"
        >
          {preview
            ? `Apply to ${preview.changing.toLocaleString('en')} record${preview.changing === 1 ? '' : 's'}`
            : 'Apply'}
        </Button>
      </Box>
    </Box>
  );
};

export default BulkEditForm;
