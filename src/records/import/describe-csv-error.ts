import { CsvError } from 'csv-parse';
import { InvalidInput } from '../../errors/domain-error.js';

/** Where csv-parse stopped: the record it could not read (header = row 1) and the line it was on. */
export interface CsvErrorPlace {
  row: number;
  line: number | null;
  column: string | null;
}

/** True for csv-parse's own errors: their codes are not all prefixed `CSV_` (`INVALID_OPENING_QUOTE` is not). */
export function isCsvError(error: unknown): error is CsvError {
  return error instanceof CsvError;
}

export function placeOf(error: CsvError, columns: readonly string[] = []): CsvErrorPlace {
  // `records` counts the records read before the failing one, the header included.
  const records = typeof error.records === 'number' ? error.records : 0;
  const line = typeof error.lines === 'number' && error.lines > 0 ? error.lines : null;
  const index = typeof error.column === 'number' ? error.column : typeof error.index === 'number' ? error.index : null;
  const column = index === null ? null : (columns[index] ?? `column ${index + 1}`);
  return { row: records + 1, line, column };
}

/**
 * A csv-parse failure in words a person who edits spreadsheets can act on: which row (and line, when
 * a quoted cell spans lines they differ), which column, what is wrong and how to fix it. Never the
 * parser's internals alone; its own message is kept at the end for whoever reads it more technically.
 */
export function describeCsvError(error: CsvError, columns: readonly string[] = []): string {
  const { row, line, column } = placeOf(error, columns);
  const where = `Row ${row}${line !== null ? ` (line ${line})` : ''}${column && error.code !== 'CSV_QUOTE_NOT_CLOSED' ? `, column "${column}"` : ''}`;
  switch (error.code) {
    case 'INVALID_OPENING_QUOTE':
      return `${where}: a quote opens inside an unquoted cell. Quote the whole cell and double the quotes inside it (say "hi" → "say ""hi"""), or remove the quote.`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${where}: a quoted cell goes on after its closing quote. Inside a quoted cell write a quote as two quotes (""), and put a comma or the end of the line right after the closing quote.`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `Row ${row}: a quoted cell opens and is never closed, so the rest of the file${line !== null ? ` (to line ${line})` : ''} reads as one cell. Add the closing quote, or write a quote inside a cell as two quotes ("").`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return `${where}: the row has a different number of cells than the header has columns. Quote cells that contain commas.`;
    case 'CSV_MAX_RECORD_SIZE':
      return `${where}: the row is too large to read. A quote left open usually causes this: check the quoting there.`;
    default:
      return `${where} is not valid CSV (${error.message}). Check the quoting there: a quote inside a quoted cell is written "".`;
  }
}

/** The failure as the domain error every edge shows (job error, console notice, API problem). */
export function badCsv(fileName: string, error: CsvError, columns: readonly string[] = []): InvalidInput {
  return new InvalidInput(
    'import.bad_csv',
    `"${fileName}" is not valid CSV. ${describeCsvError(error, columns)} Fix the file and upload it again (nothing is imported from a file that is not valid CSV).`,
    { file: 'not valid CSV' },
    { cause: error },
  );
}
