import React from 'react';
import { Box, Label, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { Line } from 'react-chartjs-2';
import './chart-setup.js';
import { percent, type VersionMetrics as Metrics } from './metrics-types.js';

/** A version's evaluation, readable: headline numbers, per-class table, confusion matrix, ROC. Used by the version page and the model's charts. */
export const EvaluationView: React.FC<{ metrics: Metrics & { labels: string[] } }> = ({ metrics }) => {
  const labels = metrics.labels;
  return (
    <Box mb="xl" data-testid="version-metrics">
      <Label>Evaluation on {metrics.rows} test rows</Label>
      <Box flex flexDirection="row" style={{ gap: 32 }} mb="lg">
        <Headline title="Accuracy" value={percent(metrics.accuracy)} />
        <Headline title="Macro F1" value={percent(metrics.macroF1)} />
        <Headline title="ROC-AUC" value={metrics.rocAuc == null ? '—' : metrics.rocAuc.toFixed(3)} />
      </Box>
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 32 }}>
        <Box>
          <Text fontWeight="bold" mb="sm">
            Per class
          </Text>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Label</TableCell>
                <TableCell>Precision</TableCell>
                <TableCell>Recall</TableCell>
                <TableCell>F1</TableCell>
                <TableCell>Support</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {labels.map((label) => {
                const m = metrics.perClass?.[label];
                return (
                  <TableRow key={label}>
                    <TableCell>{label}</TableCell>
                    <TableCell>{percent(m?.precision)}</TableCell>
                    <TableCell>{percent(m?.recall)}</TableCell>
                    <TableCell>{percent(m?.f1)}</TableCell>
                    <TableCell>{m?.support ?? 0}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Box>
        {metrics.confusion && (
          <Box>
            <Text fontWeight="bold" mb="sm">
              Confusion matrix (rows: actual, columns: predicted)
            </Text>
            <Table data-testid="confusion-matrix">
              <TableHead>
                <TableRow>
                  <TableCell />
                  {labels.map((label) => (
                    <TableCell key={label}>{label}</TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {metrics.confusion.map((row, i) => (
                  <TableRow key={labels[i]}>
                    <TableCell>{labels[i]}</TableCell>
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
        )}
        {metrics.roc && metrics.roc.length > 1 && (
          <Box style={{ width: 360, height: 300 }}>
            <Text fontWeight="bold" mb="sm">
              ROC curve ({labels[1]} vs {labels[0]})
            </Text>
            <Line
              data={{
                datasets: [
                  {
                    label: 'ROC',
                    data: metrics.roc.map((p) => ({ x: p.fpr, y: p.tpr })),
                    borderColor: '#3040D6',
                    pointRadius: 0,
                    fill: false,
                  },
                ],
              }}
              options={{
                animation: false,
                parsing: false,
                scales: {
                  x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'False positive rate' } },
                  y: { min: 0, max: 1, title: { display: true, text: 'True positive rate' } },
                },
                plugins: { legend: { display: false } },
              }}
            />
          </Box>
        )}
      </Box>
    </Box>
  );
};

export const Headline: React.FC<{ title: string; value: string }> = ({ title, value }) => (
  <Box>
    <Text variant="sm" color="grey60">
      {title}
    </Text>
    <Text fontSize="xl" fontWeight="bold">
      {value}
    </Text>
  </Box>
);
