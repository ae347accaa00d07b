import * as z from 'zod';
import { AliasName } from '../registry/promote-alias.js';
import { RecordSelection } from '../records/record-selection.js';

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

/** What someone asks for: a model, which of its versions (an alias or a number), which records (default: all of its dataset). */
export const ScoreInput = z
  .object({
    model: z.string().trim().min(1, 'name the model to score with'),
    alias: z.preprocess(blank, AliasName.optional()),
    version: z.preprocess(blank, z.coerce.number().int().positive('versions are numbered from 1').optional()),
    selection: RecordSelection.optional(),
  })
  .refine((input) => input.alias === undefined || input.version === undefined, {
    message: 'choose an alias or a version number, not both',
    path: ['version'],
  });
export type ScoreInput = z.input<typeof ScoreInput>;

/**
 * What a queued scoring job holds: the exact version (an alias is resolved when the job is queued, so
 * a promotion meanwhile does not change what the job scores with, and a resumed job goes on with the
 * same version) and the selection, always limited to the model's dataset.
 */
export const ScoreJobParams = z.object({
  model: z.string(),
  modelId: z.number().int().positive(),
  modelVersionId: z.number().int().positive(),
  version: z.number().int().positive(),
  alias: z.string().nullable(),
  datasetId: z.number().int().positive(),
  selection: RecordSelection,
});
export type ScoreJobParams = z.infer<typeof ScoreJobParams>;

/** Where a scoring job is: committed with each chunk, so a restarted job goes on after the last committed record. */
export const ScoreCheckpoint = z.object({
  lastId: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
  invalid: z.object({
    count: z.number().int().nonnegative(),
    firstIds: z.array(z.number()),
    reasons: z.record(z.string(), z.number()),
  }),
  /** Predictions per class, in the version's label order. */
  labelCounts: z.array(z.number().int().nonnegative()),
  /** Time spent so far (ms) across attempts: waiting for reads, inference, writes, and wall time. */
  timings: z.object({ readMs: z.number(), inferMs: z.number(), writeMs: z.number(), wallMs: z.number() }),
  attempts: z.number().int().nonnegative(),
});
export type ScoreCheckpoint = z.infer<typeof ScoreCheckpoint>;
