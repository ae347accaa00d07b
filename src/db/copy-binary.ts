import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** One row of a binary COPY: its fields as slices of the received bytes (null for SQL NULL). */
export type BinaryRow = Array<Buffer | null>;

/**
 * Runs `COPY (<select>) TO STDOUT (FORMAT binary)` and returns its rows. Binary, because the text
 * format escapes tabs, newlines and backslashes in values that would have to be undone again; the
 * whole result is held in memory, so callers keep the select bounded (LIMIT).
 */
export async function copyOutBinary(client: pg.Client, select: string): Promise<BinaryRow[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`)))
    chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY returned no binary header.');
  let at = 19 + data.readInt32BE(15); // signature, flags, header extension
  const rows: BinaryRow[] = [];
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    const row: BinaryRow = new Array<BinaryRow[number]>(fields);
    for (let f = 0; f < fields; f += 1) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) row[f] = null;
      else {
        row[f] = data.subarray(at, at + length);
        at += length;
      }
    }
    rows.push(row);
  }
}

/** A binary `bigint` field as a number (ids stay far below 2^53). */
export const int8 = (field: Buffer): number => Number(field.readBigInt64BE(0));
/** A binary `text` field. */
export const text = (field: Buffer): string => field.toString('utf8');
/** A binary `jsonb` field (a version byte, then the JSON text), parsed. */
export const jsonb = (field: Buffer): unknown => JSON.parse(field.toString('utf8', 1));

/** The dimensions of a binary array field and where its elements start. */
function arrayShape(field: Buffer): { dims: number[]; start: number } {
  const ndim = field.readInt32BE(0);
  const dims = Array.from({ length: ndim }, (_, d) => field.readInt32BE(12 + 8 * d));
  return { dims, start: 12 + 8 * ndim };
}

/** A binary one-dimensional `bigint[]` as numbers (NULL elements as NaN). */
export function int8Array(field: Buffer): number[] {
  const { dims, start } = arrayShape(field);
  const out = new Array<number>(dims[0] ?? 0);
  let at = start;
  for (let i = 0; i < out.length; i += 1) {
    const length = field.readInt32BE(at);
    at += 4;
    out[i] = length === -1 ? Number.NaN : Number(field.readBigInt64BE(at));
    if (length > 0) at += length;
  }
  return out;
}

/** The header of a binary COPY FROM stream. */
export function binaryCopyHeader(): Buffer {
  const header = Buffer.alloc(19);
  SIGNATURE.copy(header, 0);
  return header; // flags and header extension length stay 0
}

/** The trailer of a binary COPY FROM stream. */
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);
