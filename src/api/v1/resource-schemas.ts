import * as z from 'zod';

/** The shapes of API answers, for the OpenAPI document (serialize.ts builds them). */
const FeatureSpecSchema = z.object({
  name: z.string(),
  type: z.enum(['number', 'category']),
  description: z.string().optional(),
  categories: z.array(z.string()).optional(),
});

export const DatasetSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    task: z.enum(['text-classification', 'tabular-classification']),
    labels: z.array(z.string()),
    featureSchema: z.array(FeatureSpecSchema),
    createdAt: z.string(),
  })
  .meta({ id: 'Dataset' });

export const RecordSchema = z
  .object({
    id: z.number().int(),
    datasetId: z.number().int(),
    text: z.string().nullable(),
    features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullable(),
    label: z.string().nullable(),
    split: z.enum(['train', 'test', 'holdout']),
    tags: z.array(z.string()),
    source: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    prediction: z
      .object({
        label: z.string(),
        score: z.number(),
        margin: z.number().nullable().meta({ description: 'Top-1 minus top-2 probability: 0 a tie, 1 certain.' }),
        entropy: z.number().nullable().meta({ description: 'Entropy of the probabilities in nats: 0 certain.' }),
        modelVersionId: z.number().int(),
        jobId: z.number().int().nullable(),
        scoredAt: z.string(),
      })
      .nullable()
      .meta({ description: 'The latest batch-scoring prediction, with the exact model version that made it.' }),
  })
  .meta({ id: 'Record' });

export const ModelSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    task: z.string(),
    datasetId: z.number().int(),
    aliases: z
      .record(z.string(), z.number().int())
      .meta({ description: 'Alias → version number, e.g. {"production": 3}.' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Model' });

export const VersionSchema = z
  .object({
    id: z.number().int(),
    version: z.number().int(),
    trainer: z.string(),
    sha256: z.string(),
    sizeBytes: z.number().int(),
    metrics: z.record(z.string(), z.unknown()),
    parentVersionId: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ModelVersion' });

export const JobSchema = z
  .object({
    id: z.number().int(),
    kind: z.string(),
    status: z.string(),
    phase: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    progress: z.object({ done: z.number(), total: z.number().nullable() }),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    cancelRequested: z.boolean(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Job' });
