import { Readable } from 'node:stream';
import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import { connectionOf } from '../../db/transaction-connection.js';
import { Conflict, NotFound } from '../../errors/domain-error.js';

// Every query on import_files and import_file_chunks: an upload is stored as a row and its chunks
// (so a worker on any host can read it), applied once, then keeps only its row.

export interface ImportFileFacts {
  id: number;
  datasetId: number;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  columns: string[];
}

/** Deletes uploads never applied that are older than `days` (with their chunks): they can be large. */
export async function deleteUnappliedUploads(transaction: Transaction, days: number): Promise<void> {
  await sequelizeOf().query(
    `DELETE FROM import_files WHERE applied_at IS NULL AND created_at < now() - make_interval(days => :days)`,
    {
      replacements: { days },
      transaction,
    },
  );
}

/** The file's row, before its chunks (they refer to it); size, hash and columns follow in recordFileFacts. */
export async function insertImportFile(
  transaction: Transaction,
  file: { datasetId: number; fileName: string; createdById: number | null },
): Promise<number> {
  const [inserted] = await sequelizeOf().query<{ id: string }>(
    `INSERT INTO import_files (dataset_id, file_name, size_bytes, sha256, columns, created_by_id) VALUES (:datasetId, :fileName, 1, :sha, '{}', :by) RETURNING id`,
    {
      replacements: { datasetId: file.datasetId, fileName: file.fileName, sha: '0'.repeat(64), by: file.createdById },
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  return Number(inserted!.id);
}

export async function insertChunk(transaction: Transaction, fileId: number, seq: number, data: Buffer): Promise<void> {
  await connectionOf(transaction).query('INSERT INTO import_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [
    fileId,
    seq,
    data,
  ]);
}

export async function recordFileFacts(
  transaction: Transaction,
  fileId: number,
  facts: { sizeBytes: number; sha256: string; columns: string[] },
): Promise<void> {
  await connectionOf(transaction).query(
    'UPDATE import_files SET size_bytes = $2, sha256 = $3, columns = $4 WHERE id = $1',
    [fileId, facts.sizeBytes, facts.sha256, facts.columns],
  );
}

export async function findImportFile(fileId: number, transaction?: Transaction): Promise<ImportFileFacts> {
  const [file] = await sequelizeOf().query<{
    id: string;
    dataset_id: number;
    file_name: string;
    size_bytes: string;
    sha256: string;
    columns: string[];
  }>('SELECT id, dataset_id, file_name, size_bytes, sha256, columns FROM import_files WHERE id = :fileId', {
    replacements: { fileId },
    type: QueryTypes.SELECT,
    transaction,
  });
  if (!file)
    throw new NotFound('import.file_not_found', `There is no uploaded import file ${fileId}: upload the CSV again.`);
  return {
    id: Number(file.id),
    datasetId: file.dataset_id,
    fileName: file.file_name,
    sizeBytes: Number(file.size_bytes),
    sha256: file.sha256,
    columns: file.columns,
  };
}

/** A stored file's bytes, a chunk at a time (never the whole file in memory). */
export function readImportFile(fileId: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq += 1) {
      const [chunk] = await sequelizeOf().query<{ data: Buffer }>(
        'SELECT data FROM import_file_chunks WHERE file_id = :fileId AND seq = :seq',
        {
          replacements: { fileId, seq },
          type: QueryTypes.SELECT,
        },
      );
      if (!chunk) return;
      yield chunk.data;
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}

/**
 * Refuses a file that was already imported: an upload is applied once. With `lock` (apply) the row
 * stays locked to the end of the transaction, so a second apply of the same file (a double click)
 * waits, then finds it imported.
 */
export async function checkNotYetApplied(
  transaction: Transaction,
  file: ImportFileFacts,
  { lock }: { lock: boolean },
): Promise<void> {
  const [state] = (
    await connectionOf(transaction).query<{ applied_at: Date | null }>(
      `SELECT applied_at FROM import_files WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [file.id],
    )
  ).rows;
  if (state?.applied_at) {
    throw new Conflict(
      'import.already_applied',
      `"${file.fileName}" was already imported (${state.applied_at.toISOString()}). To import it again, upload it again.`,
    );
  }
}

/** Marks the file imported (by whom) and drops its bytes; the row stays, with its name and sha256, for the record. */
export async function markFileApplied(
  transaction: Transaction,
  fileId: number,
  appliedById: number | null,
): Promise<void> {
  await connectionOf(transaction).query(
    'UPDATE import_files SET applied_at = now(), applied_by_id = $2 WHERE id = $1',
    [fileId, appliedById],
  );
  await connectionOf(transaction).query('DELETE FROM import_file_chunks WHERE file_id = $1', [fileId]);
}

/** An earlier applied import of a file with the same contents (same sha256). */
export interface EarlierImport {
  fileId: number;
  fileName: string;
  dataset: string;
  appliedAt: string;
  /** The email of who applied it (before applied_by_id was kept: who uploaded it); null once that user is gone. */
  appliedBy: string | null;
}

/** The files with the same sha256 imported before (newest first, at most 5), into any dataset. */
export async function findEarlierImports(file: Pick<ImportFileFacts, 'id' | 'sha256'>): Promise<EarlierImport[]> {
  const rows = await sequelizeOf().query<{
    id: string;
    file_name: string;
    dataset: string;
    applied_at: Date;
    applied_by: string | null;
  }>(
    `SELECT f.id, f.file_name, d.name AS dataset, f.applied_at, u.email AS applied_by
       FROM import_files f
       JOIN datasets d ON d.id = f.dataset_id
       LEFT JOIN users u ON u.id = coalesce(f.applied_by_id, f.created_by_id)
      WHERE f.sha256 = :sha256 AND f.applied_at IS NOT NULL AND f.id <> :id
      ORDER BY f.applied_at DESC LIMIT 5`,
    { replacements: { sha256: file.sha256, id: file.id }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    fileId: Number(r.id),
    fileName: r.file_name,
    dataset: r.dataset,
    appliedAt: r.applied_at.toISOString(),
    appliedBy: r.applied_by,
  }));
}
