import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, Text } from '@adminjs/design-system';
import { useNavigate } from 'react-router';
import { SELECT_STYLE } from './select-style.js';

const api = new ApiClient();

interface Feature {
  name: string;
  type: 'number' | 'category';
  categories?: string[];
}
interface VersionChoice {
  id: number;
  label: string;
  scored: number;
}
interface DatasetChoice {
  id: number;
  name: string;
  isText: boolean;
  labels: string[];
  features: Feature[];
  versions: VersionChoice[];
}
interface Answer {
  datasets?: DatasetChoice[];
  notice?: { message: string; type: 'success' | 'error' };
  redirectUrl?: string;
}

/** The strategies (models/enums.ts ReviewStrategy) as a data scientist reads them. */
const STRATEGIES: Array<[string, string]> = [
  ['least_margin', 'Least margin: the top two labels closest'],
  ['highest_entropy', 'Highest entropy: probability spread over all labels'],
  ['misclassified', 'Misclassified: label ≠ prediction, most confident first'],
  ['disagreement', 'Disagreement: two versions predict different labels'],
  ['random', 'Random sample (a control, seeded by the queue)'],
  ['drift', 'Drifted slice: records of one feature range or value'],
];
const SPLITS = ['', 'train', 'test', 'holdout'];

/**
 * "New review queue": a dataset and one of its models' versions (both preset when opened from the
 * dataset or version page), a strategy, optional restrictions and dedupe, the size. Builds the queue
 * (a job) and opens its page.
 */
const ReviewQueueForm: React.FC<ActionProps> = ({ resource, action }) => {
  const query = new URLSearchParams(window.location.search);
  const [datasets, setDatasets] = useState<DatasetChoice[] | null>(null);
  const [values, setValues] = useState<Record<string, string>>({
    strategy: 'least_margin',
    size: '200',
    'filter.dedupe': 'exact',
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();

  useEffect(() => {
    const params: Record<string, string> = {};
    const askedDataset = query.get('datasetId');
    if (askedDataset) params.datasetId = askedDataset;
    api
      .resourceAction({ resourceId: resource.id, actionName: action.name, params })
      .then((response) => {
        const found = (response.data as Answer).datasets ?? [];
        setDatasets(found);
        const askedVersion = query.get('modelVersionId');
        const dataset =
          found.find((d) => d.versions.some((v) => String(v.id) === askedVersion)) ??
          found.find((d) => String(d.id) === askedDataset) ??
          found.find((d) => d.versions.some((v) => v.scored > 0)) ??
          found[0];
        if (!dataset) return;
        const version =
          dataset.versions.find((v) => String(v.id) === askedVersion) ??
          dataset.versions.find((v) => v.scored > 0) ??
          dataset.versions[0];
        setValues((current) => ({
          ...current,
          datasetId: String(dataset.id),
          modelVersionId: version ? String(version.id) : '',
        }));
      })
      .catch(() => setDatasets([]));
  }, [resource.id]);

  const set = (name: string, value: string) => {
    const next = { ...values, [name]: value };
    if (name === 'datasetId') {
      const dataset = datasets?.find((d) => String(d.id) === value);
      next.modelVersionId = String(dataset?.versions[0]?.id ?? '');
      delete next.compareVersionId;
      delete next['filter.label'];
      delete next['filter.slice.feature'];
    }
    setValues(next);
    setError(null);
  };
  const dataset = datasets?.find((d) => String(d.id) === values.datasetId);
  const version = dataset?.versions.find((v) => String(v.id) === values.modelVersionId);
  const sliceFeatures: Feature[] = dataset?.isText
    ? [
        { name: 'length', type: 'number' },
        { name: 'out_of_vocabulary', type: 'number' },
      ]
    : (dataset?.features ?? []);
  const sliceFeature = sliceFeatures.find((f) => f.name === values['filter.slice.feature']);

  const submit = async () => {
    setBusy(true);
    try {
      const data = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
      if (values.strategy !== 'disagreement') delete data.compareVersionId;
      const body = (
        await api.resourceAction({ resourceId: resource.id, actionName: action.name, method: 'post', data })
      ).data as Answer;
      if (body.notice) addNotice(body.notice);
      if (body.notice?.type === 'error') setError(body.notice.message);
      else if (body.redirectUrl) navigate(body.redirectUrl);
    } catch {
      setError('The request failed: check your connection and try again.');
    } finally {
      setBusy(false);
    }
  };

  const select = (name: string, options: Array<[string, string]>, id = name) => (
    <select
      id={id}
      name={name}
      style={SELECT_STYLE}
      value={values[name] ?? ''}
      onChange={(e) => set(name, e.target.value)}
    >
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
  const input = (name: string, type = 'text', id = name) => (
    <Input
      id={id}
      name={name}
      type={type}
      value={values[name] ?? ''}
      onChange={(e: React.ChangeEvent<HTMLInputElement>) => set(name, e.target.value)}
    />
  );

  return (
    <Box variant="white" data-testid="review-queue-form">
      <H3>New review queue</H3>
      <Text mb="lg">
        Picks records a model version has scored, in the order of a strategy, for people to label one at a time. The
        queue is chosen once (a background job) and keeps its order.
      </Text>
      {datasets && datasets.length === 0 ? <Text color="error">There is no dataset to review yet.</Text> : null}
      {dataset ? (
        <>
          <FormGroup>
            <Label htmlFor="datasetId">Dataset</Label>
            {select(
              'datasetId',
              (datasets ?? []).map((d) => [String(d.id), d.name]),
            )}
          </FormGroup>
          <FormGroup>
            <Label htmlFor="modelVersionId">Model version</Label>
            {select(
              'modelVersionId',
              dataset.versions.map((v) => [String(v.id), `${v.label} (${v.scored.toLocaleString()} records scored)`]),
            )}
            {version && version.scored === 0 ? (
              <Text variant="sm" mt="sm" color="error">
                This version has scored no records: run "Score dataset" with it first.
              </Text>
            ) : null}
          </FormGroup>
          <FormGroup>
            <Label htmlFor="strategy">Strategy</Label>
            {select('strategy', STRATEGIES)}
          </FormGroup>
          {values.strategy === 'disagreement' ? (
            <FormGroup>
              <Label htmlFor="compareVersionId">Compare with version</Label>
              {select('compareVersionId', [
                ['', '— choose —'],
                ...dataset.versions.filter((v) => v !== version).map((v): [string, string] => [String(v.id), v.label]),
              ])}
              <Text variant="sm" mt="sm">
                It is run over the first version's 20,000 least certain records; the queue holds those the two label
                differently, most apart first.
              </Text>
            </FormGroup>
          ) : null}
          {values.strategy === 'drift' ? (
            <FormGroup>
              <Label htmlFor="sliceFeature">Slice</Label>
              {select(
                'filter.slice.feature',
                [['', '— feature —'], ...sliceFeatures.map((f): [string, string] => [f.name, f.name])],
                'sliceFeature',
              )}
              {sliceFeature?.type === 'category' ? (
                <Box mt="sm">
                  {select(
                    'filter.slice.value',
                    [['', '— value —'], ...(sliceFeature.categories ?? []).map((c): [string, string] => [c, c])],
                    'sliceValue',
                  )}
                </Box>
              ) : sliceFeature ? (
                <Box mt="sm" flex flexDirection="row" style={{ gap: 12 }}>
                  <Box>
                    <Label htmlFor="sliceMin">From (at least)</Label>
                    {input('filter.slice.min', 'number', 'sliceMin')}
                  </Box>
                  <Box>
                    <Label htmlFor="sliceMax">To (below)</Label>
                    {input('filter.slice.max', 'number', 'sliceMax')}
                  </Box>
                </Box>
              ) : null}
            </FormGroup>
          ) : null}
          <H3 mt="lg">Only records (optional)</H3>
          <Box flex flexDirection="row" style={{ gap: 12 }}>
            <FormGroup>
              <Label htmlFor="split">Split</Label>
              {select(
                'filter.split',
                SPLITS.map((s): [string, string] => [s, s || 'any']),
                'split',
              )}
            </FormGroup>
            <FormGroup>
              <Label htmlFor="label">Label</Label>
              {select('filter.label', [['', 'any'], ...dataset.labels.map((l): [string, string] => [l, l])], 'label')}
            </FormGroup>
            <FormGroup>
              <Label htmlFor="tag">Tag</Label>
              {input('filter.tag', 'text', 'tag')}
            </FormGroup>
          </Box>
          <FormGroup>
            <Label htmlFor="dedupe">Near-duplicates</Label>
            {select(
              'filter.dedupe',
              [
                ['', 'keep them'],
                [
                  'exact',
                  dataset.isText ? 'drop the same text (case, punctuation, spaces ignored)' : 'drop the same features',
                ],
                ...(dataset.isText
                  ? [['tfidf', 'drop similar texts (TF-IDF cosine, the version vocabulary)'] as [string, string]]
                  : []),
              ],
              'dedupe',
            )}
            {values['filter.dedupe'] === 'tfidf' ? (
              <Box mt="sm">
                <Label htmlFor="similarity">Similar from cosine</Label>
                {input('filter.similarity', 'number', 'similarity')}
                <Text variant="sm">Default 0.9: texts at least this similar to one queued before are left out.</Text>
              </Box>
            ) : null}
          </FormGroup>
          <Box flex flexDirection="row" style={{ gap: 12 }}>
            <FormGroup>
              <Label htmlFor="size">Records</Label>
              {input('size', 'number')}
            </FormGroup>
            <FormGroup>
              <Label htmlFor="name">Name (optional)</Label>
              {input('name')}
            </FormGroup>
          </Box>
          <FormGroup>
            <label htmlFor="secondReview">
              <input
                id="secondReview"
                type="checkbox"
                checked={values.secondReview === 'true'}
                onChange={(e) => set('secondReview', e.target.checked ? 'true' : 'false')}
              />{' '}
              Second review: another reviewer accepts or rejects each label
            </label>
          </FormGroup>
          {error ? (
            <Text color="error" mb="lg" data-testid="review-queue-error">
              {error}
            </Text>
          ) : null}
          <Button
            type="button"
            variant="contained"
            onClick={() => void submit()}
            disabled={busy}
            data-testid="review-queue-create"
          >
            Build the queue
          </Button>
        </>
      ) : null}
    </Box>
  );
};

export default ReviewQueueForm;
