import { createHash } from 'node:crypto';

/** Share of the reviewed records kept out of training to evaluate the new version on. */
export const REVIEWED_HOLD_OUT_SHARE = 0.2;

/**
 * Whether a reviewed record belongs to the held-out reviewed sample: the first 32 bits of
 * sha256("modeldesk.reviewed-hold-out:" + id) below 20% of 2³². A property of the record alone, not of
 * the date asked for or of the other rows, so a record held out once is held out in every later
 * "retrain with reviewed records" too, and the numbers of two such versions are on comparable rows.
 */
export function isHeldOutReviewed(recordId: number): boolean {
  const digest = createHash('sha256').update(`modeldesk.reviewed-hold-out:${recordId}`).digest();
  return digest.readUInt32BE(0) < REVIEWED_HOLD_OUT_SHARE * 2 ** 32;
}

/** Reviewed rows split into those the model learns from and the held-out sample, each in the given order. */
export function splitReviewed<Row extends { id: number }>(rows: readonly Row[]): { learnFrom: Row[]; heldOut: Row[] } {
  const learnFrom: Row[] = [];
  const heldOut: Row[] = [];
  for (const row of rows) (isHeldOutReviewed(row.id) ? heldOut : learnFrom).push(row);
  return { learnFrom, heldOut };
}
