import { pipeline } from 'node:stream/promises';
import { parse, type Parser } from 'csv-parse';
import { badCsv, isCsvError } from './describe-csv-error.js';
import { readImportFile, type ImportFileFacts } from './stored-import-files.js';

export interface CsvDataRow {
  cells: string[];
  /** The CSV record's number, the header being row 1. */
  rowNumber: number;
  /** Bytes of the file parsed so far, for progress. */
  bytesRead: number;
}

/**
 * The stored file's records after the header, parsed as its chunks stream out of Postgres (a chunk
 * in memory at a time). A record that is not CSV ends the reading with the file's fault in words
 * (badCsv); leaving the loop early stops the reading.
 */
export async function* readCsvDataRows(file: ImportFileFacts): AsyncGenerator<CsvDataRow> {
  const parser: Parser = parse({ bom: true, relax_column_count: true });
  // A failure reading the chunks ends the parser (and so the loop) with it.
  pipeline(readImportFile(file.id), parser).catch(() => undefined);
  let rowNumber = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      rowNumber += 1;
      if (rowNumber > 1) yield { cells, rowNumber, bytesRead: parser.info.bytes };
    }
  } catch (error) {
    // Every csv-parse error (its codes are not all CSV_-prefixed) is the file's fault: say where and why.
    if (isCsvError(error)) throw badCsv(file.fileName, error, file.columns);
    throw error;
  }
}
