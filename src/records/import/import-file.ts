import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Transaction } from 'sequelize';
import * as z from 'zod';
import { Dataset } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { actorUserId } from '../../access/predicates/actor-user-id.js';
import { recordFailure, withAudit } from '../../audit/with-audit.js';
import { InvalidInput, NotFound } from '../../errors/domain-error.js';
import { CsvHeadReader } from './csv-head.js';
import { checkMayImport } from './import-access.js';
import { defaultMapping, type ColumnTarget } from './import-mapping.js';
import {
  deleteUnappliedUploads,
  findEarlierImports,
  insertChunk,
  insertImportFile,
  recordFileFacts,
  type EarlierImport,
} from './stored-import-files.js';

export const MEGABYTE = 1024 * 1024;
export const DEFAULT_MAX_IMPORT_MB = 500;
/** Bytes per stored chunk: what the web process holds while storing and a worker while reading. */
const CHUNK_BYTES = MEGABYTE;
/** Uploads never applied are deleted this long after upload (when someone uploads next): they can be large. */
export const UNAPPLIED_RETENTION_DAYS = 7;

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
  /** Files with the same contents imported before: warned about from the upload on. */
  earlierImports: EarlierImport[];
}

/** The size check on its own, so an edge can refuse a large file before reading it. */
export function checkImportSize(fileName: string, sizeBytes: number, maxBytes: number): void {
  if (sizeBytes === 0)
    throw new InvalidInput(
      'import.empty',
      `"${fileName}" is empty: choose a CSV file with a header row and at least one row of data.`,
      { file: 'empty' },
    );
  if (sizeBytes > maxBytes) {
    throw new InvalidInput(
      'import.too_large',
      `"${fileName}" is ${(sizeBytes / MEGABYTE).toFixed(1)} MB; CSV imports are limited to ${Math.round(maxBytes / MEGABYTE)} MB (MAX_IMPORT_MB). Split the file, or ask an admin to raise the limit.`,
      { file: 'too large' },
    );
  }
}

/**
 * Stores an uploaded CSV in Postgres (1 MiB chunks, one transaction), so a worker on any host can
 * read it, and answers its columns, a few sample rows and the default mapping. Refuses what is not
 * a UTF-8 text file (NUL bytes, invalid UTF-8) or is larger than `maxBytes`, reading the file once,
 * a chunk at a time. Audited as `records.import_upload` (file name, size, sha256). Uploads left
 * unapplied for UNAPPLIED_RETENTION_DAYS are deleted on the way.
 */
export async function storeImportFile(
  actor: Actor,
  raw: StoreImportInput,
  maxBytes: number,
): Promise<StoredImportFile> {
  const input = StoreImportInput.parse(raw);
  const dataset = await Dataset.findByPk(input.datasetId);
  if (!dataset) throw new NotFound('dataset.not_found', `There is no dataset ${input.datasetId}.`);
  const attempt = { action: 'records.import_upload', resource: 'datasets', recordIds: [dataset.id] };
  try {
    checkMayImport(actor);
  } catch (refusal) {
    // Refused before anything about the file is checked; recorded as a refusal, like any other.
    await recordFailure(actor, { ...attempt, after: { fileName: input.fileName } }, refusal);
    throw refusal;
  }
  checkImportSize(input.fileName, input.sizeBytes, maxBytes);
  return withAudit(actor, { action: 'records.import_upload', resource: 'datasets' }, async (transaction, audit) => {
    audit.note({ ...attempt, after: { fileName: input.fileName, sizeBytes: input.sizeBytes } });
    await deleteUnappliedUploads(transaction, UNAPPLIED_RETENTION_DAYS);
    const fileId = await insertImportFile(transaction, {
      datasetId: dataset.id,
      fileName: input.fileName,
      createdById: actorUserId(actor) ?? null,
    });
    const { sizeBytes, sha256, columns, sample } = await storeChunks(
      transaction,
      fileId,
      input.path,
      input.fileName,
      maxBytes,
    );
    await recordFileFacts(transaction, fileId, { sizeBytes, sha256, columns });
    audit.note({ after: { fileId, fileName: input.fileName, sizeBytes, sha256, columns } });
    return {
      fileId,
      fileName: input.fileName,
      sizeBytes,
      sha256,
      columns,
      sample,
      mapping: defaultMapping(columns, dataset),
      earlierImports: await findEarlierImports({ id: fileId, sha256 }),
    };
  });
}

/**
 * Reads the upload once, a chunk at a time: each chunk is checked (within the limit, UTF-8 text),
 * hashed, fed to the header reader and stored.
 */
async function storeChunks(
  transaction: Transaction,
  fileId: number,
  path: string,
  fileName: string,
  maxBytes: number,
): Promise<{ sizeBytes: number; sha256: string; columns: string[]; sample: string[][] }> {
  const hash = createHash('sha256');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const head = new CsvHeadReader();
  let size = 0;
  let seq = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    checkImportSize(fileName, size, maxBytes);
    if (chunk.includes(0)) throw notText(fileName, 'it contains NUL bytes, so it is a binary file');
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      throw notText(fileName, `it is not UTF-8 (first bad byte within ${(size / MEGABYTE).toFixed(1)} MB)`);
    }
    hash.update(chunk);
    head.write(chunk);
    await insertChunk(transaction, fileId, seq, chunk);
    seq += 1;
  }
  try {
    decoder.decode();
  } catch {
    throw notText(fileName, 'it is not UTF-8 (it ends inside a character)');
  }
  checkImportSize(fileName, size, maxBytes); // an empty file has no chunk to check
  const { columns, sample } = await head.finish(fileName);
  return { sizeBytes: size, sha256: hash.digest('hex'), columns, sample };
}

function notText(fileName: string, why: string): InvalidInput {
  return new InvalidInput(
    'import.not_text',
    `"${fileName}" is not a CSV text file: ${why}. Save it as CSV (UTF-8) from your spreadsheet and upload that.`,
    { file: 'not UTF-8 text' },
  );
}
