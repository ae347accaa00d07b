import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import * as z from 'zod';
import { DataRecord, Dataset, MlModel, type ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure } from '../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import { encodeInputs, type InputRecord } from '../ml/model-inputs.js';
import type { ClassifierSignature } from '../ml/onnx-classifier.js';
import type { LabelSource } from '../ml/onnx-signature.js';
import { logger } from '../platform/logger.js';
import {
  checkModelInSeparateProcess,
  DEFAULT_MODEL_CHECK_LIMITS,
  type CheckedModel,
  type ModelCheckLimits,
} from './check-model.js';
import { registerVersion } from './register-version.js';

export const UPLOAD_TRAINER = 'external-upload';
export const MEGABYTE = 1024 * 1024;
export const DEFAULT_MAX_UPLOAD_MB = 50;
/** Records the model is tried on before it is evaluated: enough to catch shape and NaN trouble. */
export const SAMPLE_ROWS = 256;

/** "a, b, c" or ["a", "b", "c"]; empty means "not given". */
const LabelList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (typeof value === 'string' ? value.split(',') : value).map((label) => label.trim()).filter(Boolean),
  )
  .transform((labels) => (labels.length > 0 ? labels : undefined));

export const UploadInput = z
  .object({
    modelId: z.coerce.number().int().positive().optional(),
    modelName: z.string().trim().min(1).optional(),
    /** Only the base name is kept: it is shown and audited, never used as a path. */
    fileName: z
      .string()
      .trim()
      .min(1, 'name the uploaded file')
      .transform((name) => name.split(/[\\/]/).pop()!.slice(0, 200)),
    bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, { error: 'the ONNX file’s bytes are missing' }),
    /** Class labels in the order of the model's probability columns (default: the file's metadata, else the dataset's labels sorted). */
    labels: LabelList.optional(),
  })
  .refine((input) => input.modelId !== undefined || input.modelName !== undefined, {
    error: 'name the model to upload to',
    path: ['modelName'],
  });
export type UploadInput = z.input<typeof UploadInput>;

export interface UploadOptions {
  /** MAX_MODEL_UPLOAD_MB in bytes. */
  maxBytes?: number;
  /** MODEL_CHECK_MAX_MEMORY_MB and MODEL_CHECK_TIMEOUT_SECONDS. */
  check?: ModelCheckLimits;
}

export interface UploadResult {
  version: ModelVersion;
  model: string;
  accuracy: number | null;
  testRows: number;
  sampleRows: number;
  labelsFrom: LabelSource;
}

/**
 * Registers an externally trained ONNX classifier (e.g. scikit-learn via skl2onnx) as the next version
 * of a model, after checking that it fits the model's dataset: size, parses and loads in onnxruntime,
 * one input of the dataset's kind, a float [batch, classes] probabilities output, the class order,
 * sane probabilities on a sample of the records. Then it is evaluated on the labelled test split
 * like a trained version. Everything that reads the file runs in a separate process capped in memory
 * and time (check-model.ts): this process never parses or opens the uploaded bytes. Refusals are audited (`models.upload`, denied or failed); the new version
 * is audited by registerVersion (`model_versions.create`, with file name and sha256).
 */
export async function uploadVersion(
  actor: Actor,
  raw: UploadInput,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const input = UploadInput.parse(raw);
  const model =
    input.modelId !== undefined
      ? await MlModel.findByPk(input.modelId)
      : await MlModel.findOne({ where: { name: input.modelName! } });
  if (!model) {
    throw new NotFound(
      'model.not_found',
      `No model ${input.modelId !== undefined ? `with id ${input.modelId}` : `named "${input.modelName}"`}. Create it under Models first (or check the spelling).`,
    );
  }
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const attempt = {
    action: 'models.upload',
    resource: 'models',
    recordIds: [model.id],
    after: { model: model.name, fileName: input.fileName, sha256, sizeBytes: input.bytes.length },
  };
  if (decide(actor, 'models', 'upload') !== true) {
    const error = new Forbidden(
      'model.upload_forbidden',
      'Your role may not upload models; ask a data scientist or an admin.',
    );
    await recordFailure(actor, attempt, error);
    throw error;
  }
  let checked: CheckedUpload;
  try {
    checked = await checkUpload(
      model,
      input,
      options.maxBytes ?? DEFAULT_MAX_UPLOAD_MB * MEGABYTE,
      options.check ?? DEFAULT_MODEL_CHECK_LIMITS,
    );
  } catch (error) {
    await recordFailure(actor, attempt, error).catch((auditError: unknown) =>
      logger.error({ err: auditError }, 'could not record a refused upload'),
    );
    throw error;
  }
  const { signature, facts, dataset, metrics, testRows } = checked;
  const version = await registerVersion(actor, {
    modelId: model.id,
    onnx: input.bytes,
    trainer: UPLOAD_TRAINER,
    hyperparameters: {
      fileName: input.fileName,
      producer: { name: facts.producerName || null, version: facts.producerVersion || null },
      opsets: facts.opsets,
      irVersion: facts.irVersion,
      labelsFrom: checked.labelsFrom,
    },
    inputSchema: inputSchemaOf(signature, dataset, checked.declaredInputShape),
    outputSchema: {
      probabilities: { name: signature.probabilities.name, type: 'float32', shape: ['batch', signature.labels.length] },
      label: signature.label ? { ...signature.label, shape: ['batch'] } : null,
      labels: signature.labels,
    },
    trainingSnapshot: null,
    metrics,
    parentVersionId: null,
  });
  const accuracy = typeof metrics.accuracy === 'number' ? metrics.accuracy : null;
  return {
    version,
    model: model.name,
    accuracy,
    testRows,
    sampleRows: checked.sampleRows,
    labelsFrom: checked.labelsFrom,
  };
}

/** The size check on its own, so an edge can refuse a large file before reading it. */
export function checkUploadSize(fileName: string, sizeBytes: number, maxBytes: number): void {
  if (sizeBytes === 0)
    throw new InvalidInput('onnx.empty', `"${fileName}" is empty: choose the .onnx file your exporter wrote.`, {
      file: 'empty',
    });
  if (sizeBytes > maxBytes) {
    throw new InvalidInput(
      'onnx.too_large',
      `"${fileName}" is ${formatSize(sizeBytes)}; uploads are limited to ${formatSize(maxBytes)} (MAX_MODEL_UPLOAD_MB). Export a smaller model, or ask an admin to raise the limit.`,
      { file: 'too large' },
    );
  }
}

/** What the separate process found, and the dataset it was checked on. */
type CheckedUpload = CheckedModel & { dataset: Dataset };

async function checkUpload(
  model: MlModel,
  input: z.output<typeof UploadInput>,
  maxBytes: number,
  limits: ModelCheckLimits,
): Promise<CheckedUpload> {
  const { fileName, bytes } = input;
  checkUploadSize(fileName, bytes.length, maxBytes);
  const dataset = (await Dataset.findByPk(model.datasetId))!;
  if (dataset.task !== model.task)
    throw new InvalidInput(
      'model.task_mismatch',
      `Model "${model.name}" is a ${model.task} model but its dataset "${dataset.name}" is ${dataset.task}.`,
    );
  const sample = await loadRecords(dataset, { limit: SAMPLE_ROWS });
  const test = (await loadRecords(dataset, { split: 'test' })).filter((r) => dataset.labels.includes(r.label!));
  const checked = await checkModelInSeparateProcess(
    {
      fileName,
      bytes,
      labels: input.labels,
      dataset: {
        name: dataset.name,
        task: dataset.task,
        labels: [...dataset.labels],
        featureSchema: [...dataset.featureSchema],
      },
      sample: { ids: sample.map((r) => r.id), inputs: encodeInputs(dataset, sample) },
      test: { labels: test.map((r) => r.label!), inputs: encodeInputs(dataset, test) },
    },
    limits,
  );
  return { ...checked, dataset };
}

type LoadedRecord = InputRecord & { label: string | null };

function loadRecords(dataset: Dataset, options: { split?: 'test'; limit?: number }): Promise<LoadedRecord[]> {
  return DataRecord.findAll({
    where: { datasetId: dataset.id, ...(options.split ? { split: options.split, label: { [Op.ne]: null } } : {}) },
    attributes: ['id', 'text', 'features', 'label'],
    order: [['id', 'ASC']],
    ...(options.limit ? { limit: options.limit } : {}),
    raw: true,
  });
}

function inputSchemaOf(
  signature: ClassifierSignature,
  dataset: Dataset,
  declaredShape: ReadonlyArray<number | string>,
): Record<string, unknown> {
  const base = { ...signature.input, declaredShape: declaredShape.map((d) => (d === '' ? null : d)) };
  return dataset.task === 'text-classification'
    ? { ...base, description: 'The raw text of each record.' }
    : {
        ...base,
        features: dataset.featureSchema,
        encoding: 'numbers as is; categories as their index; missing as NaN',
      };
}

function formatSize(bytes: number): string {
  if (bytes >= MEGABYTE) return `${(bytes / MEGABYTE).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}
