import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import * as z from 'zod';
import { DataRecord, Dataset, MlModel, ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure } from '../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import { registerVersion } from '../registry/register-version.js';
import { evaluate } from './metrics.js';
import { encodeRow } from './tabular/tabular-encoder.js';
import { trainTabular } from './tabular/train-tabular.js';
import { trainText } from './text/train-text.js';

/** Hyperparameters a user may set, with the ranges the trainers are tested in. */
export const TrainInput = z.object({
  model: z.string().trim().min(1, 'name the model to train'),
  l2: z.coerce.number().min(0).max(1).optional(),
  learningRate: z.coerce.number().gt(0).max(1).optional(),
  maxEpochs: z.coerce.number().int().min(1).max(500).optional(),
  minDf: z.coerce.number().int().min(1).max(1_000).optional(),
  maxFeatures: z.coerce.number().int().min(10).max(200_000).optional(),
});
export type TrainInput = z.input<typeof TrainInput>;

export interface TrainResult {
  version: ModelVersion;
  accuracy: number | null;
  trainingRows: number;
  testRows: number;
  timings: Record<string, number>;
}

interface Row {
  id: number;
  text: string | null;
  features: Record<string, unknown> | null;
  label: string;
}

/**
 * Trains a new version of a model on its dataset's labelled `train` rows, evaluates it on the `test`
 * rows, and registers it (immutable, with metrics and a snapshot of exactly which rows it saw).
 */
export interface TrainHooks {
  /** Called before each step; a job uses it to report progress and to stop when cancelled (by throwing). */
  phase?(name: string, step: number, steps: number): Promise<void>;
}

export async function trainModel(actor: Actor, raw: TrainInput, hooks: TrainHooks = {}): Promise<TrainResult> {
  const input = TrainInput.parse(raw);
  const phase = hooks.phase ?? (async () => undefined);
  const model = await MlModel.findOne({ where: { name: input.model } });
  if (!model) throw new NotFound('model.not_found', `No model named "${input.model}". Create it under Models first (or check the spelling).`);
  if (decide(actor, 'models', 'train') !== true) {
    const error = new Forbidden('model.train_forbidden', 'Your role may not train models; ask a data scientist or an admin.');
    await recordFailure(actor, { action: 'models.train', resource: 'models', recordIds: [model.id] }, error);
    throw error;
  }
  const dataset = (await Dataset.findByPk(model.datasetId))!;
  if (dataset.task !== model.task) throw new InvalidInput('model.task_mismatch', `Model "${model.name}" is a ${model.task} model but its dataset "${dataset.name}" is ${dataset.task}.`);

  await phase('loading rows', 0, 4);
  const load = (split: 'train' | 'test') =>
    DataRecord.findAll({
      where: { datasetId: dataset.id, split, label: { [Op.ne]: null } },
      attributes: ['id', 'text', 'features', 'label'],
      order: [['id', 'ASC']],
      raw: true,
    }) as unknown as Promise<Row[]>;
  const [train, test] = [await load('train'), await load('test')];
  const snapshot = {
    filter: { datasetId: dataset.id, split: 'train', labelled: true },
    rowCount: train.length,
    contentHash: contentHash(train),
  };
  const options = Object.fromEntries(Object.entries(input).filter(([key, value]) => key !== 'model' && value !== undefined));

  await phase('training', 1, 4);
  let onnx: Uint8Array;
  let labels: string[];
  let probabilities: Float64Array;
  let hyperparameters: Record<string, unknown>;
  let inputSchema: Record<string, unknown>;
  let timings: Record<string, number>;
  let trainer: string;
  if (dataset.task === 'text-classification') {
    const trained = trainText(train.map((r) => ({ text: r.text ?? '', label: r.label })), options);
    ({ onnx, labels, trainer } = trained);
    probabilities = trained.predict(test.map((r) => r.text ?? ''));
    hyperparameters = { ...options, vocabularySize: trained.vocabularySize, epochs: trained.history.epochs, bestEpoch: trained.history.bestEpoch };
    inputSchema = { name: 'text', type: 'string', shape: ['batch'], description: 'The raw text of each record.' };
    timings = trained.timings;
  } else {
    const schema = dataset.featureSchema;
    const trained = trainTabular(schema, train.map((r) => ({ features: r.features ?? {}, label: r.label })), options);
    ({ onnx, labels, trainer } = trained);
    probabilities = trained.predict(test.map((r, i) => encodeRow(r.features ?? {}, schema, `test row ${i + 1} (record ${r.id})`)));
    hyperparameters = { ...options, epochs: trained.history.epochs, bestEpoch: trained.history.bestEpoch };
    inputSchema = { name: 'features', type: 'float32', shape: ['batch', schema.length], features: schema, encoding: 'numbers as is; categories as their index; missing as NaN' };
    timings = trained.timings;
  }
  await phase('evaluating', 2, 4);
  const known = test.filter((r) => labels.includes(r.label));
  const metrics = known.length > 0 ? evaluate(labels, known.map((r) => labels.indexOf(r.label)), subsetRows(probabilities, test, known, labels.length)) : { rows: 0, note: 'no labelled test rows' };
  await phase('registering', 3, 4);
  const parent = await ModelVersion.findOne({ where: { modelId: model.id }, order: [['version', 'DESC']] });
  const version = await registerVersion(actor, {
    modelId: model.id,
    onnx,
    trainer,
    hyperparameters,
    inputSchema,
    outputSchema: { label: { type: 'string', shape: ['batch'] }, probabilities: { type: 'float32', shape: ['batch', labels.length] }, labels },
    trainingSnapshot: snapshot,
    metrics: { ...metrics, evaluatedOn: { split: 'test', rows: known.length } },
    parentVersionId: parent?.id ?? null,
  });
  return { version, accuracy: 'accuracy' in metrics ? metrics.accuracy : null, trainingRows: train.length, testRows: known.length, timings };
}

/** sha256 over (id, label, input) of every training row in id order: proves which data a version saw. */
function contentHash(rows: readonly Row[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.id}\u0000${row.label}\u0000${row.text ?? JSON.stringify(row.features)}\u0001`);
  return hash.digest('hex');
}

function subsetRows(probabilities: Float64Array, all: readonly Row[], keep: readonly Row[], k: number): Float64Array {
  if (keep.length === all.length) return probabilities;
  const wanted = new Set(keep);
  const out = new Float64Array(keep.length * k);
  let at = 0;
  all.forEach((row, i) => {
    if (wanted.has(row)) out.set(probabilities.subarray(i * k, i * k + k), (at++) * k);
  });
  return out;
}
