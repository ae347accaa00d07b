import React from 'react';
import { Link, Text } from '@adminjs/design-system';
import { Bar, Line } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { AsOf, Empty, formatCount, Panel, Picker } from './ChartPanel.js';
import { EvaluationView } from './EvaluationView.js';
import type { ModelCharts } from '../../src/charts/model-charts.js';

const binLabels = (bins: number) => Array.from({ length: bins }, (_, i) => (i / bins).toFixed(2));

/**
 * A model's charts: metrics per version over time, the production version's evaluation, and the score
 * distribution left by a version's batch scoring (`onVersion` lets the user pick the version).
 */
const ModelChartsView: React.FC<{ charts: ModelCharts; onVersion?: (version: number) => void }> = ({
  charts,
  onVersion,
}) => {
  const versions = charts.versions.value;
  const scores = charts.scores?.value;
  const production = charts.production;
  const evaluated = production?.metrics.labels && (production.metrics.rows ?? 0) > 0 ? production.metrics : null;
  const base = `/admin/resources/models/records/${charts.modelId}`;
  return (
    <>
      <Panel
        title={`Metrics per version — ${charts.name}`}
        help="Each version's test accuracy, macro F1 and ROC-AUC, in the order they were created: is retraining helping? Aliases in brackets."
        testId="chart-version-metrics"
      >
        {versions.length === 0 ? (
          <Empty>No versions yet: retrain the model or upload an ONNX file.</Empty>
        ) : (
          <Line
            data={{
              labels: versions.map(
                (v) =>
                  `v${v.version} ${v.createdAt.slice(5, 10)}${v.aliases.length ? ` [${v.aliases.join(', ')}]` : ''}`,
              ),
              datasets: [
                {
                  label: 'accuracy',
                  data: versions.map((v) => v.accuracy),
                  borderColor: PALETTE[0],
                  backgroundColor: PALETTE[0],
                  spanGaps: true,
                },
                {
                  label: 'macro F1',
                  data: versions.map((v) => v.macroF1),
                  borderColor: PALETTE[1],
                  backgroundColor: PALETTE[1],
                  spanGaps: true,
                },
                {
                  label: 'ROC-AUC',
                  data: versions.map((v) => v.rocAuc),
                  borderColor: PALETTE[2],
                  backgroundColor: PALETTE[2],
                  spanGaps: true,
                },
              ],
            }}
            options={{ animation: false, scales: { y: { suggestedMin: 0.5, max: 1 } } }}
          />
        )}
        <Text variant="sm" mt="sm">
          <Link href={`${base}/compare`}>Compare versions side by side</Link> · dataset{' '}
          <Link href={`/admin/resources/datasets/records/${charts.dataset.id}/charts`}>{charts.dataset.name}</Link>
        </Text>
        <AsOf {...charts.versions} />
      </Panel>
      <Panel
        title={scores ? `Scores of version ${scores.version} on live records` : 'Scores on live records'}
        help="Records whose latest prediction is this version's, by score (the probability of the predicted label, in 20 bins), stacked by predicted label. Batch scoring writes them; soft-deleted records are left out."
        testId="chart-score-histogram"
      >
        {versions.length > 0 && onVersion ? (
          <Picker
            label="Version"
            testId="pick-version"
            value={scores?.version}
            options={[...versions].reverse().map((v) => ({
              id: v.version,
              name: `v${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`,
            }))}
            onChange={onVersion}
          />
        ) : null}
        {!scores || scores.total === 0 ? (
          <Empty>
            No records scored by this version yet: run "Score dataset" on the model, or "Score with model…" on records.
          </Empty>
        ) : (
          <>
            <Bar
              data={{
                labels: binLabels(scores.bins.length),
                datasets: scores.byLabel.map((l, i) => ({
                  label: l.label,
                  data: l.bins,
                  backgroundColor: PALETTE[i % PALETTE.length],
                })),
              }}
              options={{
                animation: false,
                scales: {
                  x: { stacked: true, title: { display: true, text: 'score (from), stacked by predicted label' } },
                  y: { stacked: true, beginAtZero: true },
                },
              }}
            />
            <Text variant="sm" mt="sm" data-testid="predicted-labels">
              {formatCount(scores.total)} records:{' '}
              {scores.byLabel
                .map((p) => `${p.label} ${formatCount(p.records)} (${((100 * p.records) / scores.total).toFixed(1)}%)`)
                .join(' · ')}
            </Text>
          </>
        )}
        {charts.scores ? <AsOf {...charts.scores} /> : null}
      </Panel>
      <Panel
        title={production ? `Production: version ${production.version}` : 'Production version'}
        help="The version the production alias serves, evaluated on the dataset's test split when it was trained: confusion matrix and ROC curve."
        testId="chart-production-evaluation"
        wide
      >
        {!production ? (
          <Empty>No version is in production: promote one from its page (Model versions → Promote).</Empty>
        ) : evaluated ? (
          <EvaluationView metrics={{ ...evaluated, labels: evaluated.labels! }} />
        ) : (
          <Empty>Version {production.version} was not evaluated (no labelled test rows).</Empty>
        )}
      </Panel>
    </>
  );
};

export default ModelChartsView;
