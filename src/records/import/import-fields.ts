// The import form's bundle reads this module too (admin/components/ImportRecords.tsx): it must stay
// free of imports, or the browser bundle would pull in whatever it imports.

/** The record fields a CSV column can fill, besides a feature or nothing; `id` names the record to update. */
export const IMPORT_FIELDS = ['text', 'label', 'split', 'tags', 'source', 'id'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
