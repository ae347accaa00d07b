import * as z from 'zod';
import { RecordSplit } from '../../models/enums.js';

/**
 * A slice of records found by the drift report: a numeric feature in [min, max), a category value, or
 * for text the feature `'length'` (characters, [min, max)) or `'out_of_vocabulary'` (the share of a
 * record's tokens outside the version's vocabulary, [min, max]; a record without tokens has rate 0).
 */
export interface DriftSlice {
  feature: string;
  min?: number;
  max?: number;
  value?: string;
}

/** Which of a version's scored records a queue may hold, and how near-duplicates are dropped. */
export interface QueueFilter {
  split?: RecordSplit;
  tag?: string;
  label?: string;
  /** `exact`: same text after normalisation (tabular: same features); `tfidf`: also cosine ≥ `similarity`. */
  dedupe?: 'exact' | 'tfidf';
  /** tfidf cosine ≥ this is a duplicate, default 0.9 */
  similarity?: number;
  slice?: DriftSlice;
}

export const DEFAULT_SIMILARITY = 0.9;

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

export const DriftSliceSchema = z
  .object({
    feature: z.string().trim().min(1, 'name the feature of the slice').max(63),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    value: z.string().max(200).optional(),
  })
  .strict()
  .refine((s) => (s.value === undefined) !== (s.min === undefined && s.max === undefined), {
    message: 'give a category value, or a range (min and/or max), not both',
  })
  .refine((s) => s.min === undefined || s.max === undefined || s.min < s.max, {
    message: 'min must be below max',
    path: ['max'],
  })
  .meta({
    id: 'DriftSlice',
    description:
      "Records of one feature's slice: a number in [min, max), a category value, or for text `length` (characters) or `out_of_vocabulary` (rate 0–1).",
  });

export const QueueFilterSchema = z
  .object({
    split: z.preprocess(blank, RecordSplit.optional()),
    tag: z.preprocess(blank, z.string().trim().min(1).max(40).optional()),
    label: z.preprocess(blank, z.string().trim().min(1).max(64).optional()),
    dedupe: z.preprocess(blank, z.enum(['exact', 'tfidf']).optional()),
    similarity: z.preprocess(
      blank,
      z.coerce.number().gt(0, 'similarity is a cosine above 0').max(1, 'similarity is at most 1').optional(),
    ),
    slice: DriftSliceSchema.optional(),
  })
  .strict()
  .meta({
    id: 'QueueFilter',
    description:
      'Restricts the candidates (split, tag, human label, a drift slice) and drops near-duplicates (exact: same normalised text; tfidf: also TF-IDF cosine ≥ similarity, default 0.9, with the version vocabulary).',
  });

// The interfaces above are the contract other helpers code against; the schema must produce them.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatches: Same<Required<z.output<typeof QueueFilterSchema>>, Required<QueueFilter>> = true;
void schemaMatches;

/** A text as the exact dedupe compares it: lower case, punctuation stripped, whitespace collapsed. */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The filter in words, for names and the job page: "split test, tag x, label spam". */
export function filterInWords(filter: QueueFilter): string {
  const parts: string[] = [];
  if (filter.split) parts.push(`split ${filter.split}`);
  if (filter.tag) parts.push(`tag ${filter.tag}`);
  if (filter.label) parts.push(`label ${filter.label}`);
  if (filter.slice) parts.push(`slice ${sliceInWords(filter.slice)}`);
  return parts.join(', ');
}

export function sliceInWords(slice: DriftSlice): string {
  if (slice.value !== undefined) return `${slice.feature} = ${slice.value}`;
  const low = slice.min === undefined ? '' : `${slice.min} ≤ `;
  const high = slice.max === undefined ? '' : ` < ${slice.max}`;
  return `${low}${slice.feature}${high}`;
}
