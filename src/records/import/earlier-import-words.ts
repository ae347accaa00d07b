// The import form's bundle reads this module too (admin/components/ImportRecords.tsx): it must stay
// free of value imports, or the browser bundle would pull in whatever it imports.
import type { EarlierImport } from './stored-import-files.js';

/** "penguins.csv was imported into penguins on 2026-12-07 16:20 UTC by ana@example.com" and the others. */
export function describeEarlierImports(earlier: readonly EarlierImport[]): string {
  return earlier
    .map(
      (e) =>
        `"${e.fileName}" was imported into ${e.dataset} on ${e.appliedAt.slice(0, 16).replace('T', ' ')} UTC by ${e.appliedBy ?? 'a user since removed'}`,
    )
    .join('; ');
}

/** Why a file with the same contents as an earlier import is not applied unless asked for again. */
export function duplicateFileMessage(earlier: readonly EarlierImport[]): string {
  return `The same file (same contents, sha256) was imported before: ${describeEarlierImports(earlier)}. Importing it again adds its new rows again. Tick "Import this file again" to go on anyway.`;
}
