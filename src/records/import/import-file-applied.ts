import type { Transaction } from 'sequelize';
import { Conflict } from '../../errors/domain-error.js';
import { connectionOf, type ImportFileFacts } from './import-file.js';

/**
 * Refuses a file that was already imported: an upload is applied once. With `lock` (apply) the row
 * stays locked to the end of the transaction, so a second apply of the same file (a double click)
 * waits, then finds it imported.
 */
export async function checkNotYetApplied(transaction: Transaction, file: ImportFileFacts, { lock }: { lock: boolean }): Promise<void> {
  const [state] = (await connectionOf(transaction).query<{ applied_at: Date | null }>(`SELECT applied_at FROM import_files WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [file.id])).rows;
  if (state?.applied_at) {
    throw new Conflict('import.already_applied', `"${file.fileName}" was already imported (${state.applied_at.toISOString()}). To import it again, upload it again.`);
  }
}

/** Marks the file imported and drops its bytes; the row stays, with its name and sha256, for the record. */
export async function markFileApplied(transaction: Transaction, fileId: number): Promise<void> {
  await connectionOf(transaction).query('UPDATE import_files SET applied_at = now() WHERE id = $1', [fileId]);
  await connectionOf(transaction).query('DELETE FROM import_file_chunks WHERE file_id = $1', [fileId]);
}
