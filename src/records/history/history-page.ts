import * as z from 'zod';

/** A page of a record's History or of a change-set's rows (1-based). */
export const HistoryPage = z.object({
  page: z.coerce.number().int().min(1).default(1),
  perPage: z.coerce.number().int().min(1).max(500).default(50),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

/** Tracked fields as they appear in before/after (jsonb keys), in form order. */
export const TRACKED_FIELDS = [
  'datasetId',
  'text',
  'features',
  'label',
  'split',
  'tags',
  'source',
  'deletedAt',
] as const;

/** What a record_changes row's kind means. */
export type ChangeKind = 'created' | 'updated';
export const changeKind = (kind: string): ChangeKind => (kind === 'c' ? 'created' : 'updated');

/** The changed fields of a row, in form order. */
export function changedFields(after: Readonly<Record<string, unknown>>): string[] {
  return TRACKED_FIELDS.filter((field) => field in after);
}
