import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, H3, Link, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Line } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { PERFECT_CALIBRATION, RELIABILITY_OPTIONS, reliabilityPoints } from './reliability-chart.js';
import { percent, type VersionMetrics } from './metrics-types.js';
import { describeSince } from '../../src/ml/reviewed/reviewed-report.js';
import type { VersionSummary } from '../../src/registry/compare-versions.js';

type Summary = Omit<VersionSummary, 'metrics'> & { metrics: VersionMetrics };

const api = new ApiClient();
const fixed = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(4));

/**
 * Compares every version of a model: table, the held-out reviewed numbers of versions retrained with
 * reviewed records, metric-over-versions chart, ROC curves, reliability diagrams, confusion matrices.
 */
const CompareVersions: React.FC<ActionProps> = ({ record, resource }) => {
  const [versions, setVersions] = useState<Summary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!record) return;
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'compare' })
      .then((response) => setVersions((response.data as unknown as { versions: Summary[] }).versions))
      .catch(() => setError('Could not load the versions. Reload the page.'));
  }, [record?.id]);

  if (error) return <Text color="error">{error}</Text>;
  if (!versions) return <Text>Loading…</Text>;
  if (versions.length === 0)
    return <Text>No versions yet: train one (npm run cli -- train --model {String(record?.params.name)}).</Text>;
  const withRoc = versions.filter((v) => v.metrics.roc && v.metrics.roc.length > 1).slice(-6);
  const recent = versions.filter((v) => v.metrics.confusion).slice(-3);
  const withCalibration = versions.filter((v) => (v.metrics.calibration?.bins.length ?? 0) > 0).slice(-6);
  const withReviewed = versions.flatMap((v) =>
    v.metrics.reviewed ? [{ version: v.version, reviewed: v.metrics.reviewed }] : [],
  );

  return (
    <Box variant="white" data-testid="compare-versions">
      <H3>
        {String(record?.params.name)}: {versions.length} version(s)
      </H3>
      <Table mb="xl">
        <TableHead>
          <TableRow>
            {[
              'Version',
              'Aliases',
              'Trained',
              'Rows',
              'Accuracy',
              'Macro F1',
              'ROC-AUC',
              'Log loss',
              'Brier',
              'ECE',
              'Converged',
              'Trainer',
            ].map((h) => (
              <TableCell key={h}>{h}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {versions.map((v) => (
            <TableRow key={v.id} data-testid={`compare-row-${v.version}`}>
              <TableCell>
                <Link href={`/admin/resources/modelVersions/records/${v.id}/show`}>v{v.version}</Link>
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{v.aliases.join(', ') || '—'}</TableCell>
              <TableCell>{new Date(v.createdAt).toLocaleString()}</TableCell>
              <TableCell>{v.trainingRows ?? '—'}</TableCell>
              <TableCell>{percent(v.metrics.accuracy)}</TableCell>
              <TableCell>{percent(v.metrics.macroF1)}</TableCell>
              <TableCell>{v.metrics.rocAuc == null ? '—' : v.metrics.rocAuc.toFixed(3)}</TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{fixed(v.metrics.calibration?.logLoss)}</TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{fixed(v.metrics.calibration?.brier)}</TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>{fixed(v.metrics.calibration?.ece)}</TableCell>
              <TableCell
                data-testid={`converged-${v.version}`}
                style={{ color: v.converged === false ? '#C0392B' : undefined }}
              >
                {v.converged === null ? '—' : v.converged ? 'yes' : 'no: stopped at the iteration cap'}
              </TableCell>
              <TableCell>{v.trainer}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {withReviewed.length > 0 && (
        <Box mb="xl" data-testid="compare-reviewed">
          <Text fontWeight="bold" mb="sm">
            Retrained with reviewed records: on the reviewed records held out of training
          </Text>
          {withReviewed.map(({ version, reviewed }) => (
            <Text key={version} mb="sm" data-testid={`reviewed-${version}`}>
              v{version}: learned from {reviewed.learnedFrom} reviewed record(s) {describeSince(reviewed)};{' '}
              {reviewed.metrics
                ? `on ${reviewed.metrics.rows} held out: accuracy ${percent(reviewed.metrics.accuracy)}, log loss ${reviewed.metrics.calibration.logLoss.toFixed(4)}, ECE ${reviewed.metrics.calibration.ece.toFixed(4)}`
                : `${reviewed.heldOut} held out: ${reviewed.note ?? 'no numbers'}`}
            </Text>
          ))}
          <Text variant="sm" color="grey60">
            The same records are held out in every retraining with reviewed records (by record id), so a wider window
            holds out more of them: compare versions trained on the same window.
          </Text>
        </Box>
      )}
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 32 }}>
        <Box style={{ width: 440, height: 300 }}>
          <Text fontWeight="bold">Metrics over versions</Text>
          <Line
            data={{
              labels: versions.map((v) => `v${v.version}`),
              datasets: [
                { label: 'Accuracy', data: versions.map((v) => v.metrics.accuracy ?? null), borderColor: PALETTE[0] },
                { label: 'Macro F1', data: versions.map((v) => v.metrics.macroF1 ?? null), borderColor: PALETTE[1] },
              ],
            }}
            options={{ animation: false, scales: { y: { suggestedMin: 0.8, max: 1 } } }}
          />
        </Box>
        {withRoc.length > 0 && (
          <Box style={{ width: 360, height: 300 }}>
            <Text fontWeight="bold">ROC curves</Text>
            <Line
              data={{
                datasets: withRoc.map((v, i) => ({
                  label: `v${v.version}`,
                  data: (v.metrics.roc ?? []).map((p) => ({ x: p.fpr, y: p.tpr })),
                  borderColor: PALETTE[i % PALETTE.length],
                  pointRadius: 0,
                })),
              }}
              options={{
                animation: false,
                parsing: false,
                scales: { x: { type: 'linear', min: 0, max: 1 }, y: { min: 0, max: 1 } },
              }}
            />
          </Box>
        )}
        {withCalibration.length > 0 && (
          <Box style={{ width: 360, height: 300 }} data-testid="compare-reliability">
            <Text fontWeight="bold">Reliability diagrams</Text>
            <Box style={{ height: 270 }}>
              <Line
                data={{
                  datasets: [
                    PERFECT_CALIBRATION,
                    ...withCalibration.map((v, i) => ({
                      label: `v${v.version}`,
                      data: reliabilityPoints(v.metrics.calibration?.bins ?? []),
                      borderColor: PALETTE[i % PALETTE.length],
                      backgroundColor: PALETTE[i % PALETTE.length],
                      clip: false as const,
                    })),
                  ],
                }}
                options={RELIABILITY_OPTIONS}
              />
            </Box>
          </Box>
        )}
      </Box>
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 32 }} mt="xl">
        {recent.map((v) => (
          <Box key={v.id}>
            <Text fontWeight="bold">Confusion matrix, v{v.version}</Text>
            <Text variant="sm" mb="sm">
              Rows: actual label. Columns: predicted label.
            </Text>
            <Table data-testid={`confusion-v${v.version}`}>
              <TableHead>
                <TableRow>
                  <TableCell>Actual \ Predicted</TableCell>
                  {(v.metrics.confusion ?? []).map((_, j) => (
                    <TableCell key={j} scope="col">
                      {v.metrics.labels?.[j] ?? `#${j + 1}`}
                    </TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {(v.metrics.confusion ?? []).map((row, i) => (
                  <TableRow key={i}>
                    <TableCell as="th" scope="row" style={{ fontWeight: 'bold' }}>
                      {v.metrics.labels?.[i] ?? `#${i + 1}`}
                    </TableCell>
                    {row.map((count, j) => (
                      <TableCell key={j} style={{ fontWeight: i === j ? 'bold' : 'normal' }}>
                        {count}
                      </TableCell>
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        ))}
      </Box>
    </Box>
  );
};

export default CompareVersions;
