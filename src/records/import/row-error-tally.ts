import type { RowError } from './read-import-row.js';

/** Errors listed in a result (all are counted). */
export const LISTED_ERRORS = 100;

/** The invalid rows met while reading a file: all counted, the first LISTED_ERRORS errors kept to list. */
export class RowErrorTally {
  invalidRows = 0;
  errorCount = 0;
  readonly listed: RowError[] = [];

  addInvalidRow(errors: readonly RowError[]): void {
    this.invalidRows += 1;
    this.errorCount += errors.length;
    for (const error of errors) if (this.listed.length < LISTED_ERRORS) this.listed.push(error);
  }
}

/** The errors a result lists: the first LISTED_ERRORS by row (a row's own order kept). */
export function firstErrorsByRow(errors: readonly RowError[]): RowError[] {
  return [...errors].sort((a, b) => a.row - b.row).slice(0, LISTED_ERRORS);
}
