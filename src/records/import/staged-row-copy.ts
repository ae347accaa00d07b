import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ImportRow } from './read-import-row.js';

/** COPY text sent per write (keeps the stream's buffer small). */
const COPY_BATCH_BYTES = 256 * 1024;

/** Checked rows on their way into the temp table `import_rows`, in batches through one COPY. */
export class StagedRowCopy {
  private readonly copy: ReturnType<typeof copyFrom>;
  private readonly done: Promise<void>;
  private batch = '';

  constructor(client: pg.Client) {
    this.copy = client.query(
      copyFrom('COPY import_rows (row_no, id, text, features, label, split, tags, source) FROM STDIN (FORMAT csv)'),
    );
    this.done = new Promise<void>((resolve, reject) => {
      this.copy.on('finish', resolve);
      this.copy.on('error', reject);
    });
    this.done.catch(() => undefined); // awaited in finish; a failure before then must not be unhandled
  }

  /** Adds one row to the batch; true when the batch is full and should be sent. */
  add(rowNumber: number, row: ImportRow): boolean {
    this.batch += copyLine(rowNumber, row);
    return this.batch.length >= COPY_BATCH_BYTES;
  }

  /** Sends the batch, waiting while the connection is behind. */
  async send(): Promise<void> {
    if (!this.copy.write(this.batch)) await once(this.copy, 'drain');
    this.batch = '';
  }

  /** Sends the last batch and waits until Postgres has every row. */
  async finish(): Promise<void> {
    this.copy.end(this.batch);
    await this.done;
  }

  /** Stops the COPY part-way (the transaction then rolls back). */
  abort(): void {
    this.copy.destroy();
  }
}

/** One line of COPY's CSV format: every value quoted (so `\.` or an empty string stay data), NULL as nothing. */
function copyLine(rowNumber: number, row: ImportRow): string {
  const tags =
    row.tags === null ? null : `{${row.tags.map((t) => `"${t.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  const values = [
    String(rowNumber),
    row.id === null ? null : String(row.id),
    row.text,
    row.features === null ? null : JSON.stringify(row.features),
    row.label,
    row.split,
    tags,
    row.source,
  ];
  return `${values.map((v) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`)).join(',')}\n`;
}
