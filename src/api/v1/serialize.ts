import type { DataRecord, Dataset, Job, MlModel, ModelVersion } from '../../../models/index.js';
import type { RecordPrediction } from '../../../models/record-prediction.js';

/** How each object looks in API answers: one place, so lists and single reads agree. */
export const datasetJson = (d: Dataset) => ({
  id: d.id,
  name: d.name,
  description: d.description,
  task: d.task,
  labels: d.labels,
  featureSchema: d.featureSchema,
  createdAt: d.createdAt.toISOString(),
});

export const recordJson = (r: DataRecord & { prediction?: RecordPrediction | null }) => ({
  id: Number(r.id),
  datasetId: r.datasetId,
  text: r.text,
  features: r.features,
  label: r.label,
  split: r.split,
  tags: r.tags,
  source: r.source,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  prediction: r.prediction
    ? {
        label: r.prediction.predictedLabel,
        score: r.prediction.score,
        margin: r.prediction.margin ?? null,
        entropy: r.prediction.entropy ?? null,
        modelVersionId: r.prediction.modelVersionId,
        jobId: r.prediction.jobId === null ? null : Number(r.prediction.jobId),
        scoredAt: r.prediction.scoredAt.toISOString(),
      }
    : null,
});

export const modelJson = (m: MlModel, aliases: Record<string, number>) => ({
  id: m.id,
  name: m.name,
  description: m.description,
  task: m.task,
  datasetId: m.datasetId,
  aliases,
  createdAt: m.createdAt.toISOString(),
});

export const versionJson = (v: ModelVersion) => ({
  id: v.id,
  version: v.version,
  trainer: v.trainer,
  sha256: v.sha256,
  sizeBytes: v.sizeBytes,
  metrics: v.metrics,
  parentVersionId: v.parentVersionId,
  createdAt: v.createdAt.toISOString(),
});

export const jobJson = (j: Job) => ({
  id: j.id,
  kind: j.kind,
  status: j.status,
  phase: j.phase,
  params: j.params,
  progress: { done: j.progressDone, total: j.progressTotal },
  result: j.result,
  error: j.error,
  attempts: j.attempts,
  cancelRequested: j.cancelRequested,
  createdAt: j.createdAt.toISOString(),
  startedAt: j.startedAt?.toISOString() ?? null,
  finishedAt: j.finishedAt?.toISOString() ?? null,
});

/** A keyset page: `rows` were read with limit + 1, so one more row means there is a next page. */
export function page<T extends { id: number }>(
  rows: readonly T[],
  limit: number,
): { items: T[]; nextAfter: number | null } {
  const items = rows.slice(0, limit);
  return { items, nextAfter: rows.length > limit ? items[items.length - 1]!.id : null };
}
