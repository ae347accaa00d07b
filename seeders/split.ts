import { createHash } from 'node:crypto';
import type { RecordSplit } from '../models/enums.js';

/** A stable 80/20 train/test split keyed on the record's source id: re-seeding gives the same split. */
export function splitFor(key: string, testShare = 0.2): RecordSplit {
  const bucket = createHash('sha256').update(key).digest().readUInt32BE(0) / 0x1_0000_0000;
  return bucket < testShare ? 'test' : 'train';
}
