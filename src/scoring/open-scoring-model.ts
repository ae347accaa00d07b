import { Dataset, ModelVersion } from '../../models/index.js';
import { InvalidInput } from '../errors/domain-error.js';
import { featureWidth, openClassifier, signatureOf, type Classifier } from '../ml/onnx-classifier.js';
import type { ScoreJobParams } from './score-input.js';

/** The job's model version, open, and the dataset it reads. */
export interface ScoringModel {
  /** The model's name and version number, as the job names them. */
  name: string;
  version: number;
  versionId: number;
  dataset: Dataset;
  /** Class names in probability-column order. */
  labels: readonly string[];
  classifier: Classifier;
  /** Text models read each record's text; tabular ones `width` features a record. */
  isText: boolean;
  width: number;
}

/** Loads the version (with its ONNX bytes) and the dataset, checks they still fit each other, and opens the model; release its classifier when done. */
export async function openScoringModel(params: ScoreJobParams): Promise<ScoringModel> {
  const version = await ModelVersion.unscoped().findByPk(params.modelVersionId); // with its ONNX bytes
  const dataset = await Dataset.findByPk(params.datasetId);
  if (!version || !dataset)
    throw new InvalidInput(
      'score.gone',
      `Model version ${params.modelVersionId} or dataset ${params.datasetId} no longer exists.`,
    );
  const signature = signatureOf(version);
  const isText = dataset.task === 'text-classification';
  const width = isText ? 1 : featureWidth(signature);
  if (!isText && width !== dataset.featureSchema.length) {
    throw new InvalidInput(
      'score.schema_mismatch',
      `Version ${version.version} of "${params.model}" takes ${width} features; dataset ${dataset.name} has ${dataset.featureSchema.length}. Retrain the model on this dataset.`,
    );
  }
  const classifier = await openClassifier(version.onnx, signature);
  return {
    name: params.model,
    version: params.version,
    versionId: params.modelVersionId,
    dataset,
    labels: signature.labels,
    classifier,
    isText,
    width,
  };
}
