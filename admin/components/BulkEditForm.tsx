import React, { useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import { RECORD_FILTERS as FILTERS, RecordFilterInputs, filtersFromUrl } from './record-filters.js';

const api = new ApiClient();

interface Preview {
  matching: number;
  changing: number;
  invalid: { count: number; firstIds: number[]; reason: string } | null;
}

const CHANGES = [
  { name: 'label', label: 'Set label', help: "One of the dataset's labels. Empty: leave labels as they are." },
  { name: 'split', label: 'Set split', help: 'train, test or holdout. Empty: leave as it is.' },
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
  const set = (name: string, value: string) => {
    setValues({ ...values, [name]: value });
    setPreview(null);
  };
  const call = async (mode: 'preview' | 'apply') => {
    setBusy(true);
    try {
      const data = { ...values, mode };
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
      {CHANGES.map((c) => (
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
          <Text fontWeight="bold">
            {preview.matching.toLocaleString()} record{preview.matching === 1 ? '' : 's'} selected;{' '}
            {preview.changing.toLocaleString()} would change.
          </Text>
          {preview.invalid ? (
            <Text color="error" mt="sm" data-testid="bulk-invalid">
              {preview.invalid.count.toLocaleString()} cannot take this change (first ids:{' '}
              {preview.invalid.firstIds.join(', ')}): {preview.invalid.reason}.
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
          Apply to {preview ? preview.changing.toLocaleString() : '…'} records
        </Button>
      </Box>
    </Box>
  );
};

export default BulkEditForm;
