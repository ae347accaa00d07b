import {
  DEFAULT_SOFTMAX_OPTIONS,
  predictProbabilities,
  trainSoftmax,
  type IterationListener,
  type SoftmaxOptions,
  type TrainingHistory,
} from '../softmax-regression.js';
import { exportTextOnnx } from './export-text-onnx.js';
import { DEFAULT_TFIDF_OPTIONS, fitVocabulary, tfidfMatrix, type TfidfOptions } from './tfidf.js';
import { tokenize } from './tokenize.js';
import { indexLabels } from '../class-labels.js';

export const TEXT_TRAINER = 'text-tfidf-softmax-regression@1';

/**
 * Text defaults (no search): l2 = 1e-6, scikit-learn's C ≈ 200 on the 4,810 training emails of the
 * demo. TF-IDF rows have unit norm and thousands of rare words, so a weak penalty lets those words
 * count (C = 1 is l2 = 2e-4 there: 5 times the log loss). See test/reference/sklearn-reference.json;
 * `search` chooses l2 per dataset instead.
 */
export const TEXT_DEFAULTS: Pick<SoftmaxOptions, 'l2'> = { l2: 1e-6 };

export interface TextExample {
  text: string;
  label: string;
}

export interface TrainedText {
  trainer: typeof TEXT_TRAINER;
  labels: string[];
  vocabularySize: number;
  onnx: Uint8Array;
  history: TrainingHistory;
  /** The settings the fit used (defaults filled in; no warm start). */
  settings: Omit<SoftmaxOptions, 'initial'> & TfidfOptions;
  timings: { tokenizeMs: number; vocabularyMs: number; vectorizeMs: number; fitMs: number; exportMs: number };
  /** The TypeScript forward pass the ONNX graph must agree with: raw texts → probabilities. */
  predict(texts: readonly string[]): Float64Array;
}

/** TF-IDF (sublinear tf, L2) + softmax regression, exported as one ONNX graph on the raw string. */
export function trainText(
  examples: readonly TextExample[],
  options: Partial<SoftmaxOptions & TfidfOptions> = {},
  onIteration?: IterationListener,
): TrainedText {
  const { initial, ...given } = options;
  const settings = { ...DEFAULT_SOFTMAX_OPTIONS, ...TEXT_DEFAULTS, ...DEFAULT_TFIDF_OPTIONS, ...given };
  const t0 = performance.now();
  const { labels, y } = indexLabels(examples);
  const documents = examples.map((e) => tokenize(e.text));
  const t1 = performance.now();
  const vocabulary =
    examples.length > 0 ? fitVocabulary(documents, settings) : { words: [], index: new Map(), idf: new Float64Array() };
  const t2 = performance.now();
  const x = tfidfMatrix(documents, vocabulary);
  const t3 = performance.now();
  const { model, history } = trainSoftmax(x, y, labels.length, { ...settings, initial }, onIteration);
  const t4 = performance.now();
  const onnx = exportTextOnnx(vocabulary, model, labels, {
    'modeldesk.trainer': TEXT_TRAINER,
    'modeldesk.task': 'text-classification',
    'modeldesk.input': 'text: string[batch], the raw text',
    'modeldesk.labels': JSON.stringify(labels),
    'modeldesk.hyperparameters': JSON.stringify(settings),
    'modeldesk.vocabulary_size': String(vocabulary.words.length),
    'modeldesk.training_rows': String(examples.length),
  });
  return {
    trainer: TEXT_TRAINER,
    labels,
    vocabularySize: vocabulary.words.length,
    onnx,
    history,
    settings,
    timings: {
      tokenizeMs: t1 - t0,
      vocabularyMs: t2 - t1,
      vectorizeMs: t3 - t2,
      fitMs: t4 - t3,
      exportMs: performance.now() - t4,
    },
    predict: (texts) => predictProbabilities(model, tfidfMatrix(texts.map(tokenize), vocabulary)),
  };
}
