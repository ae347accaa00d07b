import * as z from 'zod';

// Each enum is declared once and used by the models (DataTypes.ENUM(...X.options)), the services'
// input schemas and the console. The database types are created in migrations/ with the same values.

export const Role = z.enum(['admin', 'data_scientist', 'content_manager', 'auditor']);
export type Role = z.infer<typeof Role>;

export const DatasetTask = z.enum(['text-classification', 'tabular-classification']);
export type DatasetTask = z.infer<typeof DatasetTask>;

export const RecordSplit = z.enum(['train', 'test', 'holdout']);
export type RecordSplit = z.infer<typeof RecordSplit>;

export const JobKind = z.enum(['train', 'score', 'import', 'export', 'evaluate', 'bulk_edit', 'revert', 'review']);
export type JobKind = z.infer<typeof JobKind>;

/** How a review queue orders a version's scored records (see docs/review-loop.md). */
export const ReviewStrategy = z.enum([
  'least_margin',
  'highest_entropy',
  'misclassified',
  'disagreement',
  'random',
  'drift',
]);
export type ReviewStrategy = z.infer<typeof ReviewStrategy>;

export const ReviewQueueStatus = z.enum(['building', 'open', 'closed', 'failed']);
export type ReviewQueueStatus = z.infer<typeof ReviewQueueStatus>;

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

/** Metrics a retrained version must beat production on (by the model's margin) to be promoted by itself. */
export const PromotionMetric = z.enum(['accuracy', 'macroF1', 'rocAuc']);
export type PromotionMetric = z.infer<typeof PromotionMetric>;

export const ApiScope = z.enum(['predict', 'records:read', 'records:write', 'models:write', 'jobs:write']);
export type ApiScope = z.infer<typeof ApiScope>;

export const AuditOutcome = z.enum(['success', 'denied', 'failed']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const ActorType = z.enum(['user', 'api_key', 'cli', 'system', 'anonymous']);
export type ActorType = z.infer<typeof ActorType>;

/** One feature of a tabular dataset, as stored in `datasets.feature_schema`. */
export const FeatureSpec = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'feature names are lower_snake_case'),
  type: z.enum(['number', 'category']),
  description: z.string().optional(),
  categories: z.array(z.string()).optional(),
});
export type FeatureSpec = z.infer<typeof FeatureSpec>;
