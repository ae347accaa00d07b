import type { Dataset, ModelVersion } from '../../models/index.js';
import { sequelizeOf } from '../../models/index.js';
import { withRawConnection } from '../db/raw-connection.js';
import { DomainError } from '../errors/domain-error.js';
import { encodeRecordFeatures } from '../ml/model-inputs.js';
import { openClassifier, predictInChunks, signatureOf, type ClassifierInputs } from '../ml/onnx-classifier.js';
import { forEachCandidatePage, type Candidate, type CandidateQuery } from './queue-candidates.js';

/**
 * How many of the queue version's least certain records the compared version reads: the versions
 * disagree mostly where the first is unsure, and the bound keeps the job's time and memory in step
 * with the queue rather than the dataset (docs/review-loop.md).
 */
export const DISAGREEMENT_SCAN_LIMIT = 20_000;
const PAGE_ROWS = 1_000;

/**
 * Runs the compared version over the queue version's least certain records (at most
 * DISAGREEMENT_SCAN_LIMIT, with the queue's restrictions) and answers those whose predicted labels
 * differ, most apart first: priority = total variation distance between the two probability
 * vectors, matched by label name (½ Σ |p₁ − p₂|, 0–1); ties by record id. Records the compared
 * version cannot read (a feature that does not fit) are left out.
 */
export async function disagreementOrder(
  query: CandidateQuery,
  version: Pick<ModelVersion, 'inputSchema' | 'outputSchema'>,
  compare: Pick<ModelVersion, 'onnx' | 'inputSchema' | 'outputSchema'>,
  dataset: Pick<Dataset, 'task' | 'featureSchema'>,
  progress: (done: number, total: number) => Promise<void>,
): Promise<{ examined: number; disagreeing: Candidate[] }> {
  const labels = signatureOf(version).labels;
  const compareSignature = signatureOf(compare);
  const classifier = await openClassifier(compare.onnx, compareSignature);
  const disagreeing: Candidate[] = [];
  let examined = 0;
  try {
    await withRawConnection(sequelizeOf(), (client) =>
      forEachCandidatePage(
        client,
        query,
        PAGE_ROWS,
        { first: DISAGREEMENT_SCAN_LIMIT, max: DISAGREEMENT_SCAN_LIMIT },
        async (page) => {
          const { inputs, readable } = inputsOf(page, dataset);
          const probabilities = readable.length ? await predictInChunks(classifier, inputs) : new Float32Array(0);
          const k = compareSignature.labels.length;
          readable.forEach((candidate, row) => {
            const other = new Map(compareSignature.labels.map((l, c) => [l, probabilities[row * k + c]!]));
            const mine = new Map(labels.map((l, c) => [l, candidate.probabilities[c] ?? 0]));
            if (argmax(mine) === argmax(other)) return;
            disagreeing.push({ ...candidate, priority: totalVariation(mine, other) });
          });
          examined += page.length;
          await progress(examined, DISAGREEMENT_SCAN_LIMIT);
          return examined < DISAGREEMENT_SCAN_LIMIT;
        },
      ),
    );
  } finally {
    await classifier.release();
  }
  disagreeing.sort((a, b) => b.priority! - a.priority! || a.recordId - b.recordId);
  return { examined, disagreeing };
}

/** The label of the highest probability (the first in label order on ties, as predictions are made). */
export function argmax(probabilities: ReadonlyMap<string, number>): string {
  let best = '';
  let top = -Infinity;
  for (const [label, p] of probabilities)
    if (p > top) {
      top = p;
      best = label;
    }
  return best;
}

/** ½ Σ |p − q| over the labels of both (a label one side lacks has probability 0 there). */
export function totalVariation(p: ReadonlyMap<string, number>, q: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const label of new Set([...p.keys(), ...q.keys()])) sum += Math.abs((p.get(label) ?? 0) - (q.get(label) ?? 0));
  return sum / 2;
}

/** The page's inputs for the compared model, and which candidates they are (those whose input fits). */
function inputsOf(
  page: readonly Candidate[],
  dataset: Pick<Dataset, 'task' | 'featureSchema'>,
): { inputs: ClassifierInputs; readable: Candidate[] } {
  if (dataset.task === 'text-classification') {
    const readable = page.filter((c) => c.text !== null);
    return { inputs: readable.map((c) => c.text!), readable };
  }
  const width = dataset.featureSchema.length;
  const rows = new Float32Array(page.length * width);
  const readable: Candidate[] = [];
  for (const candidate of page) {
    try {
      encodeRecordFeatures(candidate.features ?? {}, dataset.featureSchema, rows, readable.length * width, 'record');
      readable.push(candidate);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { inputs: rows.subarray(0, readable.length * width), readable };
}
