import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * The rows of one change-set exactly as the digest covers them: COPY's text format (tab-separated,
 * one line per record, jsonb in its canonical text form), ordered by record id. The archive file
 * carries these same lines, so `verify-audit --file` recomputes the digest from it.
 */
export function changeSetCopySql(changeSetId: number): string {
  return `COPY (SELECT record_id, kind, before, after FROM record_changes WHERE change_set_id = ${Math.trunc(changeSetId)} ORDER BY record_id) TO STDOUT`;
}

/** A digest computed from COPY lines as they come: from the database or from an archive file. */
export class ChangeSetDigest {
  private readonly hash: Hash = createHash('sha256');
  lines = 0;

  /** One COPY line, without its newline. */
  addLine(line: string): void {
    this.hash.update(line);
    this.hash.update('\n');
    this.lines += 1;
  }

  /** Bytes of COPY output (whole lines, newlines included). */
  addBytes(chunk: Buffer): void {
    this.hash.update(chunk);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

/**
 * sha256 (hex) of a change-set's rows, streamed from COPY on `client` (a transaction's connection:
 * connectionOf) so a million-row change-set is never held in memory. The one definition of the
 * digest: written into the change_sets row and the audit event on close, recomputed by verify-audit.
 */
export async function changeSetDigest(client: pg.Client, changeSetId: number): Promise<string> {
  const digest = new ChangeSetDigest();
  await pipeline(
    client.query(copyTo(changeSetCopySql(changeSetId))),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        digest.addBytes(chunk);
        done();
      },
    }),
  );
  return digest.hex();
}
