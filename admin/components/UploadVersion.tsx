import React, { useEffect, useState } from 'react';
import { ApiClient, flat, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Input, Label, MessageBox, Text } from '@adminjs/design-system';
import { useRecordActionForm } from './use-record-action-form.js';

const api = new ApiClient();

/** "Upload ONNX": an externally trained .onnx file (and its class order), validated and evaluated on the server. */
const UploadVersion: React.FC<ActionProps> = ({ record, resource, action }) => {
  const [file, setFile] = useState<File | null>(null);
  const [labels, setLabels] = useState('');
  const [tooLarge, setTooLarge] = useState<string | undefined>();
  const [datasetLabels, setDatasetLabels] = useState<string[] | undefined>();
  const { busy, error, submit: post } = useRecordActionForm(resource.id, record?.id, 'upload');
  const maxBytes = Number(action.custom?.maxUploadBytes ?? 0);
  const datasetId = record?.params.datasetId as string | number | undefined;

  useEffect(() => {
    if (datasetId === undefined || datasetId === null) return;
    api
      .recordAction({ resourceId: 'datasets', recordId: String(datasetId), actionName: 'show' })
      .then((response) =>
        setDatasetLabels((flat.get(response.data.record?.params ?? {}, 'labels') as string[] | undefined) ?? []),
      )
      .catch(() => setDatasetLabels(undefined));
  }, [datasetId]);

  if (!record) return null;
  const choose = (event: React.ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    setFile(chosen);
    setTooLarge(
      chosen && maxBytes > 0 && chosen.size > maxBytes
        ? `${chosen.name} is ${megabytes(chosen.size)} MB; uploads are limited to ${megabytes(maxBytes)} MB.`
        : undefined,
    );
  };
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!file || tooLarge) return;
    const data = new FormData();
    data.append('file', file, file.name);
    data.append('labels', labels);
    void post(data);
  };
  const sorted = datasetLabels ? [...datasetLabels].sort() : undefined;
  const problem = tooLarge ?? error;

  return (
    <Box as="form" variant="white" onSubmit={submit} data-testid="upload-form">
      <H3>Upload an ONNX model as a new version of {String(record.params.name)}</H3>
      <Text mb="lg">
        An externally trained classifier, e.g. scikit-learn exported with skl2onnx. It must take one input — the
        dataset's features as a float tensor [batch, features] in schema order, or the raw text as a string tensor — and
        return the class probabilities as a float tensor [batch, classes] (export with{' '}
        <code>
          options={'{'}id(model): {'{'}'zipmap': False{'}'}
          {'}'}
        </code>
        ). It is checked on a sample of the dataset, evaluated on the test split and registered like a trained version.
      </Text>
      <FormGroup>
        <Label htmlFor="file" required>
          ONNX file
        </Label>
        <input
          id="file"
          name="file"
          type="file"
          accept=".onnx,application/octet-stream"
          onChange={choose}
          data-testid="upload-file"
        />
        <Text variant="sm" mt="sm">
          At most {megabytes(maxBytes)} MB.
        </Text>
      </FormGroup>
      <FormGroup>
        <Label htmlFor="labels">Class labels in output order</Label>
        <Input
          id="labels"
          name="labels"
          placeholder={sorted ? sorted.join(', ') : 'a, b, c'}
          value={labels}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => setLabels(e.target.value)}
        />
        <Text variant="sm" mt="sm">
          Comma separated, in the order of the probability columns (scikit-learn: <code>model.classes_</code>). Leave
          empty to use the file's own <code>modeldesk.labels</code> metadata or, failing that, the dataset's labels
          sorted
          {sorted ? ` (${sorted.join(', ')})` : ''}, which is scikit-learn's order.
        </Text>
      </FormGroup>
      {problem ? (
        <Box mb="lg" data-testid="upload-error">
          <MessageBox variant="danger" message={problem} />
        </Box>
      ) : null}
      <Button
        variant="contained"
        type="submit"
        disabled={busy || !file || Boolean(tooLarge)}
        data-testid="upload-submit"
      >
        {busy ? 'Checking and evaluating…' : 'Upload and evaluate'}
      </Button>
    </Box>
  );
};

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}

export default UploadVersion;
