import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import type pg from 'pg';
import { QueryTypes, type Transaction } from 'sequelize';
import * as z from 'zod';
import { Dataset, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { actorUserId } from '../../access/predicates/actor-user-id.js';
import { recordFailure, withAudit } from '../../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../../errors/domain-error.js';
import { describeCsvError, isCsvError } from './describe-csv-error.js';
import { defaultMapping, type ColumnTarget } from './import-mapping.js';

export const MEGABYTE = 1024 * 1024;
export const DEFAULT_MAX_IMPORT_MB = 500;
/** Bytes per stored chunk: what the web process holds while storing and a worker while reading. */
const CHUNK_BYTES = MEGABYTE;
const SAMPLE_ROWS = 5;
/** Uploads never applied are deleted this long after upload (when someone uploads next): they can be large. */
export const UNAPPLIED_RETENTION_DAYS = 7;
const MAX_COLUMNS = 500;
/** Characters of each sample value sent to the form (it shows fewer). */
const SAMPLE_CELL_CHARS = 200;
/** The largest header or sample row read to show the columns (a record's text is at most 1,000,000 characters). */
const HEAD_MAX_RECORD_BYTES = 8 * MEGABYTE;

export const StoreImportInput = z.object({
  datasetId: z.coerce.number().int().positive(),
  /** Only the base name is kept: it is shown and audited, never used as a path. */
  fileName: z
    .string()
    .trim()
    .min(1, 'name the uploaded file')
    .transform((name) => name.split(/[\\/]/).pop()!.slice(0, 200) || 'import.csv'),
  /** The temp file the upload was written to (by formidable); read, never kept. */
  path: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
});
export type StoreImportInput = z.input<typeof StoreImportInput>;

export interface StoredImportFile {
  fileId: number;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  columns: string[];
  sample: string[][];
  mapping: Record<string, ColumnTarget>;
}

/** The size check on its own, so an edge can refuse a large file before reading it. */
export function checkImportSize(fileName: string, sizeBytes: number, maxBytes: number): void {
  if (sizeBytes === 0) throw new InvalidInput('import.empty', `"${fileName}" is empty: choose a CSV file with a header row and at least one row of data.`, { file: 'empty' });
  if (sizeBytes > maxBytes) {
    throw new InvalidInput('import.too_large', `"${fileName}" is ${(sizeBytes / MEGABYTE).toFixed(1)} MB; CSV imports are limited to ${Math.round(maxBytes / MEGABYTE)} MB (MAX_IMPORT_MB). Split the file, or ask an admin to raise the limit.`, { file: 'too large' });
  }
}

/**
 * Stores an uploaded CSV in Postgres (1 MiB chunks, one transaction), so a worker on any host can
 * read it, and answers its columns, a few sample rows and the default mapping. Refuses what is not
 * a UTF-8 text file (NUL bytes, invalid UTF-8) or is larger than `maxBytes`, reading the file once,
 * a chunk at a time. Audited as `records.import_upload` (file name, size, sha256). Uploads left
 * unapplied for UNAPPLIED_RETENTION_DAYS are deleted on the way.
 */
export async function storeImportFile(actor: Actor, raw: StoreImportInput, maxBytes: number): Promise<StoredImportFile> {
  const input = StoreImportInput.parse(raw);
  const dataset = await Dataset.findByPk(input.datasetId);
  if (!dataset) throw new NotFound('dataset.not_found', `There is no dataset ${input.datasetId}.`);
  const attempt = { action: 'records.import_upload', resource: 'datasets', recordIds: [dataset.id] };
  if (decide(actor, 'datasets', 'importCsv') !== true) {
    const error = new Forbidden('import.forbidden', 'Your role may not import records; ask a content manager or an admin.');
    await recordFailure(actor, { ...attempt, after: { fileName: input.fileName } }, error);
    throw error;
  }
  checkImportSize(input.fileName, input.sizeBytes, maxBytes);
  return withAudit(actor, { action: 'records.import_upload', resource: 'datasets' }, async (transaction, audit) => {
    audit.note({ ...attempt, after: { fileName: input.fileName, sizeBytes: input.sizeBytes } });
    await sequelizeOf().query(`DELETE FROM import_files WHERE applied_at IS NULL AND created_at < now() - make_interval(days => :days)`, {
      replacements: { days: UNAPPLIED_RETENTION_DAYS },
      transaction,
    });
    // The row first (its chunks refer to it); size, hash and columns are known once the file is read.
    const [inserted] = await sequelizeOf().query<{ id: string }>(
      `INSERT INTO import_files (dataset_id, file_name, size_bytes, sha256, columns, created_by_id) VALUES (:datasetId, :fileName, 1, :sha, '{}', :by) RETURNING id`,
      { replacements: { datasetId: dataset.id, fileName: input.fileName, sha: '0'.repeat(64), by: actorUserId(actor) ?? null }, type: QueryTypes.SELECT, transaction },
    );
    const fileId = Number(inserted!.id);
    const client = connectionOf(transaction);
    const hash = createHash('sha256');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let size = 0;
    let seq = 0;
    const head = new HeadReader();
    for await (const chunk of createReadStream(input.path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      checkImportSize(input.fileName, size, maxBytes);
      if (chunk.includes(0)) throw notText(input.fileName, 'it contains NUL bytes, so it is a binary file');
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        throw notText(input.fileName, `it is not UTF-8 (first bad byte within ${(size / MEGABYTE).toFixed(1)} MB)`);
      }
      hash.update(chunk);
      head.write(chunk);
      await client.query('INSERT INTO import_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [fileId, seq, chunk]);
      seq += 1;
    }
    try {
      decoder.decode();
    } catch {
      throw notText(input.fileName, 'it is not UTF-8 (it ends inside a character)');
    }
    if (size === 0) throw new InvalidInput('import.empty', `"${input.fileName}" is empty: choose a CSV file with a header row and at least one row of data.`, { file: 'empty' });
    const { columns, sample } = await head.finish(input.fileName);
    const sha256 = hash.digest('hex');
    await client.query('UPDATE import_files SET size_bytes = $2, sha256 = $3, columns = $4 WHERE id = $1', [fileId, size, sha256, columns]);
    audit.note({ after: { fileId, fileName: input.fileName, sizeBytes: size, sha256, columns } });
    return { fileId, fileName: input.fileName, sizeBytes: size, sha256, columns, sample, mapping: defaultMapping(columns, dataset) };
  });
}

function notText(fileName: string, why: string): InvalidInput {
  return new InvalidInput('import.not_text', `"${fileName}" is not a CSV text file: ${why}. Save it as CSV (UTF-8) from your spreadsheet and upload that.`, { file: 'not UTF-8 text' });
}

/**
 * The header row and a few rows after it, parsed as the file streams by: fed chunk after chunk until
 * it has them, so a quoted cell that crosses a chunk's end (a long text with commas and newlines) is
 * read whole, never judged on a cut chunk. Records are taken as the parser reads them (on_record):
 * its stream drops the records parsed in the same chunk as an error.
 */
class HeadReader {
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
      throw new InvalidInput('import.bad_header', `The first row of "${fileName}" is not CSV: ${describeCsvError(this.error)} The first row names the columns, e.g. text,label,split.`, { file: 'no header' });
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the parser's own error, rethrown as it came
    if (this.rows.length === 0 && this.error) throw this.error;
    return checkHead(this.rows, fileName);
  }
}

function checkHead(rows: string[][], fileName: string): { columns: string[]; sample: string[][] } {
  const columns = (rows[0] ?? []).map((c) => c.trim());
  const problems: string[] = [];
  if (columns.length === 0 || columns.every((c) => c === '')) problems.push('the first row is empty; it must name the columns');
  if (columns.length > MAX_COLUMNS) problems.push(`it has ${columns.length} columns; at most ${MAX_COLUMNS}`);
  const empty = columns.findIndex((c) => c === '');
  if (empty >= 0 && problems.length === 0) problems.push(`column ${empty + 1} has no name`);
  const duplicates = [...new Set(columns.filter((c, i) => columns.indexOf(c) !== i))];
  if (duplicates.length > 0) problems.push(`the column name(s) ${duplicates.map((d) => `"${d}"`).join(', ')} appear more than once`);
  if (problems.length > 0) throw new InvalidInput('import.bad_header', `Check the header row of "${fileName}": ${problems.join('; ')}.`, { file: 'bad header' });
  // The form shows the first characters of a few values; a long text cell is not sent whole.
  return { columns, sample: rows.slice(1).map((row) => row.map((cell) => (cell.length > SAMPLE_CELL_CHARS ? `${cell.slice(0, SAMPLE_CELL_CHARS)}…` : cell))) };
}

/** A stored file's bytes, a chunk at a time (never the whole file in memory). */
export function readImportFile(fileId: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq += 1) {
      const [chunk] = await sequelizeOf().query<{ data: Buffer }>('SELECT data FROM import_file_chunks WHERE file_id = :fileId AND seq = :seq', {
        replacements: { fileId, seq },
        type: QueryTypes.SELECT,
      });
      if (!chunk) return;
      yield chunk.data;
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}

export interface ImportFileFacts {
  id: number;
  datasetId: number;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  columns: string[];
}

export async function findImportFile(fileId: number, transaction?: Transaction): Promise<ImportFileFacts> {
  const [file] = await sequelizeOf().query<{ id: string; dataset_id: number; file_name: string; size_bytes: string; sha256: string; columns: string[] }>(
    'SELECT id, dataset_id, file_name, size_bytes, sha256, columns FROM import_files WHERE id = :fileId',
    { replacements: { fileId }, type: QueryTypes.SELECT, transaction },
  );
  if (!file) throw new NotFound('import.file_not_found', `There is no uploaded import file ${fileId}: upload the CSV again.`);
  return { id: Number(file.id), datasetId: file.dataset_id, fileName: file.file_name, sizeBytes: Number(file.size_bytes), sha256: file.sha256, columns: file.columns };
}

/** The pg client under a Sequelize transaction, for COPY and bytea parameters inside it. */
export function connectionOf(transaction: Transaction): pg.Client {
  return (transaction as unknown as { connection: pg.Client }).connection;
}
