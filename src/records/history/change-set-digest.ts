import { createHash, type Hash } from 'node:crypto';
import readline from 'node:readline';
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
  /** Lines given to addLine. */
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
 * sha256 (hex) of a change-set's rows and how many there are, streamed from COPY on `client` (a
 * transaction's connection: connectionOf) so a million-row change-set is never held in memory. The
 * one definition of the digest: written into the change_sets row and the audit event on close,
 * recomputed by verify-audit.
 */
export async function changeSetDigest(
  client: pg.Client,
  changeSetId: number,
): Promise<{ digest: string; lines: number }> {
  const digest = new ChangeSetDigest();
  let lines = 0;
  await pipeline(
    client.query(copyTo(changeSetCopySql(changeSetId))),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        digest.addBytes(chunk);
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
        done();
      },
    }),
  );
  return { digest: digest.hex(), lines };
}

/**
 * The digest's lines one by one (without newlines), streamed from COPY: what archive-audit writes
 * into the archive beside the event, so the file alone proves what each change-set changed.
 */
export async function* changeSetLines(client: pg.Client, changeSetId: number): AsyncGenerator<string> {
  const copy = client.query(copyTo(changeSetCopySql(changeSetId)));
  // COPY's text format escapes newlines inside values (\n), so each line is one row.
  const lines = readline.createInterface({ input: copy, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
  }
}

/** The problem with a change-set's rows against the reference in its event, or undefined when they match. */
export function changeSetProblem(
  seq: number,
  expected: { id: number; records: number; digest: string },
  found: { lines: number; digest: string },
): string | undefined {
  if (found.lines === expected.records && found.digest === expected.digest) return undefined;
  return `event ${seq}'s change-set ${expected.id} was changed: its ${found.lines} row(s) do not match the ${expected.records} and the digest the event recorded`;
}

/** A change-set row as a line of a JSON-lines export or archive: the COPY line its digest covers. */
export interface ChangeSetRowLine {
  changeSetId: number;
  row: string;
}

export function changeSetRowLine(changeSetId: number, row: string): ChangeSetRowLine {
  return { changeSetId, row };
}

/** A parsed JSON line that is a change-set row (not an event). */
export function isChangeSetRowLine(
  value: Record<string, unknown>,
): value is Record<string, unknown> & ChangeSetRowLine {
  return typeof value.changeSetId === 'number' && typeof value.row === 'string' && !('seq' in value);
}
