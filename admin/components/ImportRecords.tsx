import React, { useEffect, useState } from 'react';
import { ApiClient, flat, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, FormGroup, H3, Label, MessageBox, Text } from '@adminjs/design-system';
import { IMPORT_FIELDS } from '../../src/records/import/import-fields.js';
import type { StoredImportFile as Upload } from '../../src/records/import/import-file.js';
import type { ImportResult } from '../../src/records/import/run-import.js';
import { describeEarlierImports } from '../../src/records/import/earlier-import-words.js';
import { RevertLink } from './revert-link.js';

const api = new ApiClient();
const LIVE = ['queued', 'running'];

interface JobView {
  id: string;
  mode: 'dry-run' | 'apply';
  /** The mapping it ran with, to tell whether a dry run still applies. */
  mapping: string;
  status: string;
  phase?: string;
  done: number;
  total: number;
  error?: string;
  result?: ImportResult;
}

/** "Import CSV": upload a file, map its columns, dry run (per-row errors, counts), then apply as a job. */
const ImportRecords: React.FC<ActionProps> = ({ record, resource, action }) => {
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [tagSeparator, setTagSeparator] = useState(';');
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [importAgain, setImportAgain] = useState(false);
  const [job, setJob] = useState<JobView | null>(null);
  const [dryRun, setDryRun] = useState<{ result: ImportResult; mapping: string } | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const maxBytes = Number(action.custom?.maxImportBytes ?? 0);
  const features = (
    (record ? (flat.get(record.params, 'featureSchema') as Array<{ name: string }> | undefined) : undefined) ?? []
  ).map((f) => f.name);
  const mappingText = JSON.stringify({ columns: mapping, tagSeparator });

  const post = async (data: Record<string, string> | FormData): Promise<Record<string, unknown> | undefined> => {
    if (!record) return undefined;
    setBusy(true);
    setError(undefined);
    try {
      const response = await api.recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: action.name,
        method: 'post',
        data,
      });
      const notice = response.data.notice;
      if (notice?.type === 'error') {
        setError(notice.message);
        addNotice(notice);
        return undefined;
      }
      return response.data;
    } catch (failure) {
      const body = (failure as { response?: { data?: { message?: unknown } } })?.response?.data;
      setError(
        typeof body?.message === 'string' ? body.message : 'The request failed: check your connection and try again.',
      );
      return undefined;
    } finally {
      setBusy(false);
    }
  };

  // Follow the queued job through the jobs resource (its own access rule: own jobs only).
  useEffect(() => {
    if (!job || !LIVE.includes(job.status)) return undefined;
    const timer = setInterval(() => {
      api
        .recordAction({ resourceId: 'jobs', recordId: job.id, actionName: 'show' })
        .then((response) => {
          const params = response.data.record.params;
          const next: JobView = {
            ...job,
            status: String(params.status),
            phase: params.phase ? String(params.phase) : undefined,
            done: Number(params.progressDone ?? 0),
            total: Number(params.progressTotal ?? 0),
            error: params.error ? String(params.error) : undefined,
            result: flat.get(params, 'result') as ImportResult | undefined,
          };
          setJob(next);
          if (next.status === 'succeeded' && next.mode === 'dry-run' && next.result)
            setDryRun({ result: next.result, mapping: next.mapping });
        })
        .catch(() => undefined);
    }, 1_000);
    return () => clearInterval(timer);
  }, [job?.id, job?.status]);

  if (!record) return null;

  const send = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    if (maxBytes > 0 && file.size > maxBytes) {
      setError(`${file.name} is ${megabytes(file.size)} MB; imports are limited to ${megabytes(maxBytes)} MB.`);
      return;
    }
    const data = new FormData();
    data.append('file', file, file.name);
    const answer = await post(data);
    const stored = answer?.upload as Upload | undefined;
    if (stored) {
      setUpload(stored);
      setMapping(stored.mapping);
      setJob(null);
      setDryRun(null);
      setImportAgain(false);
    }
  };

  const run = async (mode: 'dry-run' | 'apply') => {
    if (!upload) return;
    const answer = await post({
      mode,
      fileId: String(upload.fileId),
      mapping: mappingText,
      skipInvalid: String(skipInvalid),
      importAgain: String(importAgain),
    });
    const queued = answer?.job as { id: number } | undefined;
    if (queued) setJob({ id: String(queued.id), mode, mapping: mappingText, status: 'queued', done: 0, total: 0 });
  };

  const dryRunCurrent = dryRun && dryRun.mapping === mappingText ? dryRun.result : null;
  const earlier = dryRunCurrent?.earlierImports ?? upload?.earlierImports ?? [];
  const canApply =
    Boolean(dryRunCurrent) &&
    (dryRunCurrent!.invalidRows === 0 || skipInvalid) &&
    (earlier.length === 0 || importAgain) &&
    !(job && LIVE.includes(job.status));

  return (
    <Box variant="white" data-testid="import-form">
      <H3>Import records into {String(record.params.name)} from a CSV file</H3>
      <Text mb="lg">
        The first row names the columns. Map each column to a record field, a feature of the dataset, or <code>id</code>{' '}
        to update that record of this dataset (empty id: a new record). Empty cells leave a value as it is. A file
        exported from Records imports as it is (features and tags as JSON cells): records it does not change are left
        alone. Check with a dry run first: it lists every invalid row; nothing is written until you apply, and then all
        at once.
      </Text>
      <Box as="form" onSubmit={send} mb="lg">
        <FormGroup>
          <Label htmlFor="file" required>
            CSV file (UTF-8)
          </Label>
          <input
            id="file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="import-file"
          />
          <Text variant="sm" mt="sm">
            At most {megabytes(maxBytes)} MB.
          </Text>
        </FormGroup>
        <Button type="submit" disabled={busy || !file} data-testid="import-upload">
          Upload
        </Button>
      </Box>
      {error ? (
        <Box mb="lg" data-testid="import-error">
          <MessageBox variant="danger" message={error} />
        </Box>
      ) : null}
      {upload ? (
        <Box mb="lg">
          <Text mb="sm">
            {upload.fileName}: {upload.columns.length} columns, {megabytes(upload.sizeBytes)} MB, sha256{' '}
            {upload.sha256.slice(0, 12)}…
          </Text>
          {earlier.length > 0 ? (
            <Box mb="lg" data-testid="import-duplicate">
              <MessageBox
                variant="warning"
                message={`This file was imported before: ${describeEarlierImports(earlier)}. Importing it again adds its rows without an id again.`}
              />
            </Box>
          ) : null}
          <table data-testid="import-mapping" style={{ borderCollapse: 'collapse', marginBottom: 12 }}>
            <thead>
              <tr>
                <th style={cell}>Column</th>
                <th style={cell}>Imports as</th>
                <th style={cell}>First values</th>
              </tr>
            </thead>
            <tbody>
              {upload.columns.map((column, index) => (
                <tr key={column}>
                  <td style={cell}>{column}</td>
                  <td style={cell}>
                    <select
                      aria-label={`Map ${column}`}
                      data-testid={`map-${column}`}
                      value={mapping[column] ?? 'ignore'}
                      onChange={(e) => setMapping({ ...mapping, [column]: e.target.value })}
                    >
                      <option value="ignore">ignore</option>
                      {IMPORT_FIELDS.map((f) => (
                        <option key={f} value={f}>
                          {f === 'features' ? 'features (all, as JSON)' : f}
                        </option>
                      ))}
                      {features.map((f) => (
                        <option key={f} value={`feature:${f}`}>
                          feature: {f}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td style={cell}>
                    {upload.sample
                      .map((row) => row[index] ?? '')
                      .slice(0, 3)
                      .join(' · ')
                      .slice(0, 80)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <FormGroup>
            <Label htmlFor="tagSeparator">Tags separator</Label>
            <select id="tagSeparator" value={tagSeparator} onChange={(e) => setTagSeparator(e.target.value)}>
              <option value=";">;</option>
              <option value="|">|</option>
            </select>
          </FormGroup>
          <Button
            type="button"
            onClick={() => void run('dry-run')}
            disabled={busy || Boolean(job && LIVE.includes(job.status))}
            data-testid="import-dry-run"
            mr="default"
          >
            Dry run
          </Button>
        </Box>
      ) : null}
      {job ? (
        <Box mb="lg" data-testid="import-job" data-status={job.status} data-mode={job.mode}>
          <Text>
            {job.mode === 'apply' ? 'Import' : 'Dry run'} (
            <a href={`/admin/resources/jobs/records/${job.id}/show`}>job {job.id}</a>): {job.status}
            {job.phase ? `, ${job.phase}` : ''} {job.total > 0 ? `${Math.round((100 * job.done) / job.total)}%` : ''}
          </Text>
          {job.error ? <MessageBox variant="danger" message={job.error} /> : null}
        </Box>
      ) : null}
      {dryRunCurrent ? <Summary result={dryRunCurrent} /> : null}
      {dryRun && !dryRunCurrent ? (
        <Text mb="lg">The mapping changed since the dry run: run it again before applying.</Text>
      ) : null}
      {dryRunCurrent ? (
        <Box mb="lg">
          <label style={{ display: 'block', marginBottom: 12 }}>
            <input
              type="checkbox"
              checked={skipInvalid}
              onChange={(e) => setSkipInvalid(e.target.checked)}
              data-testid="import-skip-invalid"
            />{' '}
            Skip invalid rows (import only the valid ones)
          </label>
          {earlier.length > 0 ? (
            <label style={{ display: 'block', marginBottom: 12 }}>
              <input
                type="checkbox"
                checked={importAgain}
                onChange={(e) => setImportAgain(e.target.checked)}
                data-testid="import-again"
              />{' '}
              Import this file again (it was imported before, see above)
            </label>
          ) : null}
          <Button
            variant="contained"
            type="button"
            onClick={() => void run('apply')}
            disabled={busy || !canApply}
            data-testid="import-apply"
          >
            Apply
          </Button>
        </Box>
      ) : null}
      {job?.mode === 'apply' && job.status === 'succeeded' && job.result ? (
        <Box data-testid="import-result">
          <MessageBox
            variant="success"
            message={`Imported ${job.result.inserts.toLocaleString()} new and updated ${job.result.updates.toLocaleString()} records${job.result.unchanged ? `; ${job.result.unchanged.toLocaleString()} already had these values` : ''}${job.result.invalidRows ? `; ${job.result.invalidRows.toLocaleString()} invalid rows skipped` : ''}.`}
          />
          {/* An import that wrote nothing has nothing to revert. */}
          {job.result.changeSetId && job.result.inserts + job.result.updates > 0 ? (
            <RevertLink
              changeSetId={job.result.changeSetId}
              what="this import (updated records get their earlier values, new ones are deleted)"
            />
          ) : null}
        </Box>
      ) : null}
    </Box>
  );
};

const Summary: React.FC<{ result: ImportResult }> = ({ result }) => (
  <Box mb="lg" data-testid="import-summary">
    <Text mb="sm">
      {result.rows.toLocaleString()} rows: {result.inserts.toLocaleString()} to insert,{' '}
      {result.updates.toLocaleString()} to update, {result.unchanged.toLocaleString()} unchanged,{' '}
      {result.invalidRows.toLocaleString()} invalid ({result.errorCount.toLocaleString()} errors
      {result.errorCount > result.errors.length ? `, first ${result.errors.length} listed` : ''}).
    </Text>
    {result.errors.length > 0 ? (
      <table data-testid="import-errors" style={{ borderCollapse: 'collapse' }}>
        <thead>
          <tr>
            <th style={cell}>Row</th>
            <th style={cell}>Column</th>
            <th style={cell}>Reason</th>
          </tr>
        </thead>
        <tbody>
          {result.errors.map((e, i) => (
            <tr key={i} data-testid="import-error-row">
              <td style={cell}>{e.row}</td>
              <td style={cell}>{e.column}</td>
              <td style={cell}>{e.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : null}
  </Box>
);

const cell: React.CSSProperties = {
  border: '1px solid #E8E8EF',
  padding: '4px 8px',
  textAlign: 'left',
  verticalAlign: 'top',
};

function megabytes(bytes: number): string {
  return (Math.round((bytes / (1024 * 1024)) * 10) / 10).toString();
}

export default ImportRecords;
