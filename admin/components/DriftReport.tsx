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

/** The "Drift" action of a model: per-feature PSI bars, one feature's histogram, the flag and its reasons. */
const DriftReport: React.FC<ActionProps> = ({ record, resource }) => {
  const [report, setReport] = useState<Report | null>(null);
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [chosen, setChosen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
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
        const body = response.data as unknown as { report?: Report; notice?: { message: string } };
        if (body.report) setReport(body.report);
        else setMessage(body.notice?.message ?? 'Could not compute the drift report. Reload the page.');
      })
      .catch(() =>
        setMessage('Could not load the drift report. Reload the page; if it persists, check the server log.'),
      );
  }, [record?.id, version]);
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
