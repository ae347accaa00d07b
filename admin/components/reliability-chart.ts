import type { ChartDataset, ChartOptions } from 'chart.js';

type Point = { x: number; y: number };

/** The diagonal of a reliability diagram: a model whose confidence is exactly its share right. */
export const PERFECT_CALIBRATION: ChartDataset<'line', Point[]> = {
  label: 'Perfectly calibrated',
  data: [
    { x: 0, y: 0 },
    { x: 1, y: 1 },
  ],
  borderColor: '#999999',
  borderDash: [4, 4],
  pointRadius: 0,
};

/** One point per confidence bin: its mean confidence against its share right. */
export const reliabilityPoints = (bins: ReadonlyArray<{ confidence: number; accuracy: number }>): Point[] =>
  bins.map((b) => ({ x: b.confidence, y: b.accuracy }));

/** Both axes 0–1, the chart filling its box (the version page's panel and Compare's overlay). */
export const RELIABILITY_OPTIONS: ChartOptions<'line'> = {
  animation: false,
  parsing: false,
  maintainAspectRatio: false,
  layout: { padding: 10 },
  scales: {
    x: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'Confidence (top label)' } },
    y: { min: 0, max: 1, title: { display: true, text: 'Share right' } },
  },
};
