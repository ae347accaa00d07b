import { DataRecord } from '../../models/index.js';
import { ScoreCheckpoint, type ScoreJobParams } from './score-input.js';
import { scoringWhere } from './scoring-where.js';

/**
 * Where this attempt starts: after the last chunk an earlier attempt committed (one attempt more),
 * or, on the first attempt or with a checkpoint that no longer parses, from the first record with
 * the records to score counted.
 */
export async function resumeFromCheckpoint(
  checkpoint: Record<string, unknown> | null,
  params: ScoreJobParams,
  labels: readonly string[],
): Promise<ScoreCheckpoint> {
  const previous = checkpoint ? ScoreCheckpoint.safeParse(checkpoint) : undefined;
  if (previous?.success) return { ...previous.data, attempts: previous.data.attempts + 1 };
  return {
    lastId: 0,
    total: await DataRecord.count({ where: scoringWhere(params) }),
    scored: 0,
    invalid: { count: 0, firstIds: [], reasons: {} },
    labelCounts: labels.map(() => 0),
    timings: { readMs: 0, inferMs: 0, writeMs: 0, wallMs: 0 },
    attempts: 1,
  };
}
