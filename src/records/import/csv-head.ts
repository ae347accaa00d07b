import { parse, type Parser } from 'csv-parse';
import { InvalidInput } from '../../errors/domain-error.js';
import { describeCsvError, isCsvError } from './describe-csv-error.js';

const SAMPLE_ROWS = 5;
const MAX_COLUMNS = 500;
/** Characters of each sample value sent to the form (it shows fewer). */
const SAMPLE_CELL_CHARS = 200;
/** The largest header or sample row read to show the columns (a record's text is at most 1,000,000 characters). */
const HEAD_MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * The header row and a few rows after it, parsed as the file streams by: fed chunk after chunk until
 * it has them, so a quoted cell that crosses a chunk's end (a long text with commas and newlines) is
 * read whole, never judged on a cut chunk. Records are taken as the parser reads them (on_record):
 * its stream drops the records parsed in the same chunk as an error.
 */
export class CsvHeadReader {
  readonly rows: string[][] = [];
  private error: unknown = null;
  private readonly parser: Parser;
  private readonly ended: Promise<void>;

  constructor() {
    // A header or sample row larger than this is not worth waiting for (a quote left open).
    this.parser = parse({
      bom: true,
      relax_column_count: true,
      max_record_size: HEAD_MAX_RECORD_BYTES,
      // Called as each record is read, so none is lost when a later one in the same chunk fails.
      on_record: (row: string[]) => {
        if (this.rows.length < SAMPLE_ROWS + 1) this.rows.push(row);
        return null;
      },
    });
    this.parser.resume();
    this.ended = new Promise<void>((resolve) => {
      this.parser.once('end', resolve);
      this.parser.once('error', (error: unknown) => {
        this.error = error;
        resolve();
      });
      this.parser.once('close', resolve);
    });
  }

  /** True while it still wants bytes. */
  get wanting(): boolean {
    return this.error === null && this.rows.length < SAMPLE_ROWS + 1 && !this.parser.destroyed;
  }

  write(chunk: Buffer): void {
    if (this.wanting) this.parser.write(chunk);
  }

  async finish(fileName: string): Promise<{ columns: string[]; sample: string[][] }> {
    if (this.wanting) this.parser.end();
    else this.parser.destroy();
    await this.ended;
    // A sample row the parser could not read is left for the dry run to report; a header it could not read is fatal.
    if (this.rows.length === 0 && isCsvError(this.error)) {
      throw new InvalidInput(
        'import.bad_header',
        `The first row of "${fileName}" is not CSV: ${describeCsvError(this.error)} The first row names the columns, e.g. text,label,split.`,
        { file: 'no header' },
      );
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the parser's own error, rethrown as it came
    if (this.rows.length === 0 && this.error) throw this.error;
    return checkHead(this.rows, fileName);
  }
}

function checkHead(rows: string[][], fileName: string): { columns: string[]; sample: string[][] } {
  const columns = (rows[0] ?? []).map((c) => c.trim());
  const problems: string[] = [];
  if (columns.length === 0 || columns.every((c) => c === ''))
    problems.push('the first row is empty; it must name the columns');
  if (columns.length > MAX_COLUMNS) problems.push(`it has ${columns.length} columns; at most ${MAX_COLUMNS}`);
  const empty = columns.findIndex((c) => c === '');
  if (empty >= 0 && problems.length === 0) problems.push(`column ${empty + 1} has no name`);
  const duplicates = [...new Set(columns.filter((c, i) => columns.indexOf(c) !== i))];
  if (duplicates.length > 0)
    problems.push(`the column name(s) ${duplicates.map((d) => `"${d}"`).join(', ')} appear more than once`);
  if (problems.length > 0)
    throw new InvalidInput('import.bad_header', `Check the header row of "${fileName}": ${problems.join('; ')}.`, {
      file: 'bad header',
    });
  // The form shows the first characters of a few values; a long text cell is not sent whole.
  return {
    columns,
    sample: rows
      .slice(1)
      .map((row) =>
        row.map((cell) => (cell.length > SAMPLE_CELL_CHARS ? `${cell.slice(0, SAMPLE_CELL_CHARS)}…` : cell)),
      ),
  };
}
