import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, Text } from '@adminjs/design-system';
import { Bar } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { Panel } from './ChartPanel.js';
import type { DriftReport as Report } from '../../src/monitoring/drift/drift-report.js';
import type { FeatureDrift } from '../../src/monitoring/drift/drift-flags.js';

const api = new ApiClient();
const fixed = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '–' : x.toFixed(digits));

function xsrfToken(): string {
  const match = /(?:^|; )XSRF-TOKEN=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : '';
}

/** The reference vs live shares of one feature: its PSI bins, or its categories. */
const FeatureHistogram: React.FC<{ feature: FeatureDrift }> = ({ feature }) => {
  const labels =
    feature.kind === 'category'
      ? feature.shares.map((s) => s.value)
      : feature.bins.map((b) => `${b.from === null ? '−∞' : b.from.toPrecision(4)} …`);
  const reference =
    feature.kind === 'category' ? feature.shares.map((s) => s.reference) : feature.bins.map((b) => b.reference);
  const live = feature.kind === 'category' ? feature.shares.map((s) => s.live) : feature.bins.map((b) => b.live);
  return (
    <Bar
      data={{
        labels,
        datasets: [
          { label: 'training (reference)', data: reference, backgroundColor: PALETTE[0] },
          { label: 'live', data: live, backgroundColor: PALETTE[1] },
        ],
      }}
      options={{ animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: 'share' } } } }}
    />
  );
};

type ThresholdKey = 'psi' | 'ks' | 'oovRateIncrease' | 'minLiveRecords';
const THRESHOLD_FIELDS: Array<{ key: ThresholdKey; label: string; step: string }> = [
  { key: 'psi', label: 'PSI', step: '0.01' },
  { key: 'ks', label: 'KS', step: '0.01' },
  { key: 'oovRateIncrease', label: 'OOV rate increase', step: '0.01' },
  { key: 'minLiveRecords', label: 'minimum live records', step: '1' },
];

/**
 * The model's thresholds, editable by roles with models.driftSettings (the server refuses others too):
 * PATCH /api/v1/models/{name}/drift-thresholds with the XSRF header; an empty field puts its default back.
 */
const ThresholdsForm: React.FC<{ report: Report; onSaved: (message: string) => void }> = ({ report, onSaved }) => {
  const initial = () =>
    Object.fromEntries(THRESHOLD_FIELDS.map((f) => [f.key, String(report.thresholds[f.key])])) as Record<
      ThresholdKey,
      string
    >;
  const [values, setValues] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => setValues(initial()), [report.model.id, report.computedAt]);
  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    // Only what changed: the model keeps following the defaults for the others.
    const changed = THRESHOLD_FIELDS.filter((f) => values[f.key].trim() !== String(report.thresholds[f.key]));
    if (changed.length === 0) {
      setError('Nothing changed: edit a threshold, then save.');
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const response = await fetch(`/api/v1/models/${encodeURIComponent(report.model.name)}/drift-thresholds`, {
        method: 'PATCH',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-xsrf-token': xsrfToken() },
        body: JSON.stringify(Object.fromEntries(changed.map((f) => [f.key, values[f.key].trim()]))),
      });
      // The API's problem detail names each wrong field and its allowed range.
      const body = (await response.json().catch(() => ({}))) as { detail?: string };
      if (!response.ok) {
        setError(
          body.detail ?? `The thresholds were not saved (HTTP ${response.status}). Reload the page and try again.`,
        );
        return;
      }
      onSaved('Thresholds saved; the report below is flagged with them.');
    } catch {
      setError('The thresholds were not saved: the server did not answer. Try again.');
    } finally {
      setSaving(false);
    }
  };
  return (
    <form onSubmit={(e) => void save(e)} data-testid="drift-thresholds" style={{ marginBottom: 16 }}>
      <Text variant="sm" mb="sm">
        Thresholds of this model (empty: the default):
      </Text>
      <Box flex flexDirection="row" flexWrap="wrap" alignItems="flex-end" style={{ gap: 12 }}>
        {THRESHOLD_FIELDS.map((f) => (
          <label key={f.key} style={{ display: 'flex', flexDirection: 'column', fontSize: 12 }}>
            {f.label}
            <input
              type="number"
              min="0"
              step={f.step}
              name={f.key}
              data-testid={`threshold-${f.key}`}
              value={values[f.key]}
              onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
              style={{ width: 120 }}
            />
          </label>
        ))}
        <Button size="sm" type="submit" disabled={saving} data-testid="save-thresholds">
          {saving ? 'Saving…' : 'Save thresholds'}
        </Button>
      </Box>
      {error ? (
        <Text mt="sm" color="error" data-testid="drift-thresholds-error">
          {error}
        </Text>
      ) : null}
    </form>
  );
};

/** The "Drift" action of a model: per-feature PSI bars, one feature's histogram, the flag and its reasons. */
const DriftReport: React.FC<ActionProps> = ({ record, resource }) => {
  const [report, setReport] = useState<Report | null>(null);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [chosen, setChosen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [mayChangeThresholds, setMayChangeThresholds] = useState(false);
  // Bumped after the thresholds are saved: the report is fetched again and flagged by the new ones.
  const [reload, setReload] = useState(0);
  useEffect(() => {
    if (!record) return;
    api
      .recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: 'drift',
        params: version === undefined ? {} : { version },
      })
      .then((response) => {
        const body = response.data as unknown as {
          report?: Report;
          notice?: { message: string };
          mayChangeThresholds?: boolean;
        };
        setMayChangeThresholds(body.mayChangeThresholds === true);
        if (body.report) setReport(body.report);
        else setMessage(body.notice?.message ?? 'Could not compute the drift report. Reload the page.');
      })
      .catch(() =>
        setMessage('Could not load the drift report. Reload the page; if it persists, check the server log.'),
      );
  }, [record?.id, version, reload]);
  if (!report) return <Text>{message ?? 'Computing the drift report…'}</Text>;
  const feature =
    report.features.find((f) => f.feature === chosen) ?? report.features.find((f) => f.drifted) ?? report.features[0];
  const queueSlice = async (f: FeatureDrift) => {
    if (!f.slice) return;
    const response = await fetch('/api/v1/review-queues', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-xsrf-token': xsrfToken() },
      body: JSON.stringify({
        datasetId: report.model.datasetId,
        modelVersionId: report.version.id,
        strategy: 'drift',
        filter: { slice: f.slice },
      }),
    });
    const body = (await response.json().catch(() => ({}))) as { queue?: { id: number; name: string }; detail?: string };
    setMessage(
      response.ok && body.queue
        ? `Queued "${body.queue.name}" (#${body.queue.id}): it fills in the background; open it under Review queues.`
        : (body.detail ?? `The queue was not created (HTTP ${response.status}).`),
    );
  };
  return (
    <Box data-testid="drift-report">
      <Text mb="lg" data-testid="drift-flag" color={report.drifted ? 'error' : 'success'}>
        Version {report.version.version}
        {report.version.aliases.length ? ` (${report.version.aliases.join(', ')})` : ''}:{' '}
        {report.drifted
          ? `drifted — ${report.reasons.join('; ')}`
          : report.enoughLive
            ? 'no drift above the thresholds'
            : `not enough live data (${report.live.records + report.live.predictSamples} < ${report.thresholds.minLiveRecords})`}
      </Text>
      <Text variant="sm" mb="lg">
        Reference: {report.reference.what}, {report.reference.records.toLocaleString('en')} records. Live:{' '}
        {report.live.records.toLocaleString('en')} scored records outside the train split and{' '}
        {report.live.predictSamples.toLocaleString('en')} sampled API predictions.
        {report.sampled ? ` Sampled: at most ${report.sampleCap.toLocaleString('en')} per side.` : ''} Thresholds: PSI{' '}
        {report.thresholds.psi}, KS {report.thresholds.ks}. As of {report.computedAt.slice(0, 19).replace('T', ' ')}{' '}
        UTC.{' '}
        <a
          href={`?version=${Math.max(1, report.version.version - 1)}`}
          onClick={(e) => {
            e.preventDefault();
            setVersion(Math.max(1, report.version.version - 1));
          }}
        >
          previous version
        </a>
      </Text>
      {mayChangeThresholds ? (
        <ThresholdsForm
          report={report}
          onSaved={(saved) => {
            setMessage(saved);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
      {message ? (
        <Text mb="lg" data-testid="drift-message">
          {message}
        </Text>
      ) : null}
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 16 }}>
        <Panel
          title="PSI per feature"
          help="Population stability index of each feature (10 deciles of the training values; categories as they are). Above the line: drifted."
          testId="chart-drift-psi"
        >
          <Bar
            data={{
              labels: report.features.map((f) => f.feature).concat('predicted label'),
              datasets: [
                {
                  label: 'PSI',
                  data: report.features.map((f) => f.psi ?? 0).concat(report.predictedLabels.psi ?? 0),
                  backgroundColor: report.features
                    .map((f) => (f.drifted ? PALETTE[1]! : PALETTE[0]!))
                    .concat(report.predictedLabels.drifted ? PALETTE[1]! : PALETTE[0]!),
                },
              ],
            }}
            options={{
              animation: false,
              onClick: (_e, elements) => {
                const index = elements[0]?.index;
                if (index !== undefined && report.features[index]) setChosen(report.features[index].feature);
              },
              scales: { y: { beginAtZero: true, suggestedMax: report.thresholds.psi * 1.5 } },
            }}
          />
        </Panel>
        {feature ? (
          <Panel
            title={`${feature.feature}: training vs live`}
            help="Shares of the training rows and of the live data per bin (numbers: the deciles of training) or per category. Click a bar on the left to pick a feature."
            testId="chart-drift-histogram"
          >
            <FeatureHistogram feature={feature} />
          </Panel>
        ) : null}
      </Box>
      <table data-testid="drift-table" style={{ marginTop: 16, borderCollapse: 'collapse' }}>
        <thead>
          <tr>
            <th align="left">feature</th>
            <th>PSI</th>
            <th>KS</th>
            <th>missing (train → live)</th>
            <th>drifted</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {report.features.map((f) => (
            <tr key={f.feature} data-testid={`drift-row-${f.feature}`}>
              <td>{f.feature}</td>
              <td align="right">{fixed(f.psi)}</td>
              <td align="right">{f.kind === 'category' ? '–' : fixed(f.ks)}</td>
              <td align="right">
                {fixed(f.reference.missingShare * 100, 1)}% → {fixed(f.live.missingShare * 100, 1)}%
              </td>
              <td align="center">{f.drifted ? 'yes' : ''}</td>
              <td>
                {f.drifted && f.slice ? (
                  <Button
                    size="sm"
                    variant="outlined"
                    onClick={() => void queueSlice(f)}
                    data-testid={`queue-slice-${f.feature}`}
                  >
                    Queue this slice for review
                  </Button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.outOfVocabulary ? (
        <Text mt="lg">
          Out-of-vocabulary tokens: {fixed(report.outOfVocabulary.reference * 100, 1)}% in training,{' '}
          {fixed(report.outOfVocabulary.live * 100, 1)}% live.
        </Text>
      ) : null}
    </Box>
  );
};

export default DriftReport;
