import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Label, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import { RECORD_FILTERS, RecordFilterInputs, filtersFromUrl } from './record-filters.js';
import { SELECT_STYLE } from './select-style.js';

const api = new ApiClient();

interface Choice {
  name: string;
  datasetId: number;
  datasetName: string;
  labels: string[];
  aliases: Array<{ alias: string; version: number }>;
  versions: number[];
}
interface Preview {
  matching: number;
  model: string;
  version: number;
  alias: string | null;
}
interface Answer {
  models?: Choice[];
  preview?: Preview;
  notice?: { message: string; type: 'success' | 'error' };
  redirectUrl?: string;
}

/** A record's splits (models/enums.ts RecordSplit), offered as a choice. */
const SPLITS = ['train', 'test', 'holdout'] as const;

/** The dataset follows from the model, so "all matching" asks for the other filters only. */
const FILTERS = RECORD_FILTERS.filter((f) => f.name !== 'datasetId');

/**
 * "Score with model…": on ticked records, on all records matching a filter, or on a model's whole
 * dataset. Pick the model and its version (an alias such as production, or a version number), preview
 * how many records and which exact version, then queue the job and follow its progress.
 */
const ScoreForm: React.FC<ActionProps> = ({ resource, records, record, action }) => {
  const mode = action.actionType === 'bulk' ? 'selected' : action.actionType === 'record' ? 'dataset' : 'matching';
  const recordIds = (records ?? []).map((r) => r.id);
  const [models, setModels] = useState<Choice[] | null>(null);
  const [values, setValues] = useState<Record<string, string>>(
    mode === 'matching' ? () => filtersFromUrl(FILTERS) : {},
  );
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

  const call = (method: 'get' | 'post', data?: Record<string, string>) =>
    mode === 'selected'
      ? api.bulkAction({ resourceId: resource.id, actionName: action.name, recordIds, method, data })
      : mode === 'dataset'
        ? api.recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, method, data })
        : api.resourceAction({ resourceId: resource.id, actionName: action.name, method, data });

  useEffect(() => {
    call('get')
      .then((response) => {
        const found = (response.data as Answer).models ?? [];
        setModels(found);
        const first = found[0];
        if (first) setValues((current) => ({ model: first.name, which: defaultWhich(first), ...current }));
      })
      .catch(() => setModels([]));
  }, [resource.id, record?.id, recordIds.join(',')]);

  const set = (name: string, value: string) => {
    const next = { ...values, [name]: value };
    if (name === 'model') next.which = defaultWhich(models?.find((m) => m.name === value));
    setValues(next);
    setPreview(null);
    setError(null);
  };
  const submit = async (submitMode: 'preview' | 'apply') => {
    setBusy(true);
    try {
      const [kind, value] = (values.which ?? '').split(':');
      const data: Record<string, string> = {
        ...values,
        mode: submitMode,
        ...(kind === 'version' ? { version: value ?? '' } : { alias: value ?? '' }),
      };
      delete data.which;
      const body = (await call('post', data)).data as Answer;
      if (body.preview) setPreview(body.preview);
      if (body.notice?.type === 'error') setError(body.notice.message);
      if (body.notice) addNotice(body.notice);
      if (submitMode === 'apply' && body.redirectUrl && body.notice?.type !== 'error') navigate(body.redirectUrl);
    } finally {
      setBusy(false);
    }
  };
  const model = models?.find((m) => m.name === values.model);
  const title =
    mode === 'selected'
      ? `Score ${recordIds.length} selected record${recordIds.length === 1 ? '' : 's'}`
      : mode === 'dataset'
        ? `Score the dataset of ${record?.params.name ?? 'this model'}`
        : 'Score all records matching a filter';

  return (
    <Box variant="white" data-testid="score-form">
      <H3>{title}</H3>
      <Text mb="lg">
        Each record gets the version's predicted label, the probability of that label and of every label, the exact
        version and the time. Only predictions are written (edits made meanwhile stay). Large selections are read and
        written in chunks; the job can be cancelled, and a stopped worker goes on where it left off.
      </Text>
      {models && models.length === 0 ? (
        <Text color="error">No model reads the dataset of these records: create and train one first.</Text>
      ) : null}
      {models && models.length > 0 ? (
        <>
          {mode === 'dataset' ? null : (
            <FormGroup>
              <Label htmlFor="model">Model</Label>
              <select
                id="model"
                name="model"
                style={SELECT_STYLE}
                value={values.model ?? ''}
                onChange={(e) => set('model', e.target.value)}
              >
                {models.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name} (dataset {m.datasetName})
                  </option>
                ))}
              </select>
              <Text variant="sm" mt="sm">
                Only records of the model's dataset are scored.
              </Text>
            </FormGroup>
          )}
          <FormGroup>
            <Label htmlFor="which">Version</Label>
            <select
              id="which"
              name="which"
              style={SELECT_STYLE}
              value={values.which ?? ''}
              onChange={(e) => set('which', e.target.value)}
            >
              {(model?.aliases ?? []).map((a) => (
                <option key={`alias:${a.alias}`} value={`alias:${a.alias}`}>
                  {a.alias} (now v{a.version})
                </option>
              ))}
              {(model?.versions ?? []).map((v) => (
                <option key={`version:${v}`} value={`version:${v}`}>
                  version {v}
                </option>
              ))}
            </select>
            <Text variant="sm" mt="sm">
              An alias is resolved when the job is queued: the job keeps that exact version even if the alias moves
              meanwhile.
            </Text>
          </FormGroup>
          {mode === 'selected' ? null : (
            <RecordFilterInputs
              title={mode === 'dataset' ? 'Only records (optional)' : 'Which records'}
              filters={FILTERS}
              values={values}
              onChange={set}
              choices={{ label: model?.labels ?? [], predictedLabel: model?.labels ?? [], split: SPLITS }}
            />
          )}
          {preview ? (
            <Box mb="lg" p="lg" style={{ border: '2px solid #3040D6', borderRadius: 6 }} data-testid="score-preview">
              <Text fontWeight="bold">
                {preview.matching.toLocaleString()} record{preview.matching === 1 ? '' : 's'} will be scored with{' '}
                {preview.model} version {preview.version}
                {preview.alias ? ` (${preview.alias})` : ''}.
              </Text>
            </Box>
          ) : null}
          {error ? (
            <Text color="error" mb="lg" data-testid="score-error">
              {error}
            </Text>
          ) : null}
          <Box flex flexDirection="row" style={{ gap: 12 }}>
            <Button
              type="button"
              variant="outlined"
              onClick={() => void submit('preview')}
              disabled={busy}
              data-testid="score-preview-button"
            >
              Preview
            </Button>
            <Button
              type="button"
              variant="contained"
              onClick={() => void submit('apply')}
              disabled={busy || !preview}
              data-testid="score-apply"
            >
              Score {preview ? preview.matching.toLocaleString() : '…'} records
            </Button>
          </Box>
        </>
      ) : null}
    </Box>
  );
};

function defaultWhich(model: Choice | undefined): string {
  if (!model) return '';
  const production = model.aliases.find((a) => a.alias === 'production') ?? model.aliases[0];
  return production ? `alias:${production.alias}` : model.versions[0] ? `version:${model.versions[0]}` : '';
}

export default ScoreForm;
