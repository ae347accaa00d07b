// The import form's bundle reads this module too (admin/components/ImportRecords.tsx): it must stay
// free of imports, or the browser bundle would pull in whatever it imports.

/**
 * The record fields a CSV column can fill, besides a single feature or nothing; `id` names the record
 * to update, `features` takes all of a record's features as one JSON object (as the export writes them).
 */
export const IMPORT_FIELDS = ['text', 'features', 'label', 'split', 'tags', 'source', 'id'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
