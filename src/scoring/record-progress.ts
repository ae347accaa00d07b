import type pg from 'pg';
import type { ScoreCheckpoint } from './score-input.js';

/** Invalid record ids kept in the result (the count covers all of them). */
const INVALID_IDS_LISTED = 20;

/** A record whose input does not fit the model, and why (without the value, so that reasons can be counted). */
export interface InvalidRecord {
  id: number;
  reason: string;
}

/** What one chunk adds to the job's progress. */
export interface ChunkOutcome {
  invalid: readonly InvalidRecord[];
  scored: number;
  /** Predictions per class, in the version's label order. */
  labelCounts: readonly number[];
  /** Where the next chunk starts. */
  lastId: number;
}

/** Records the job is done with: scored, or found unfit to score. */
export const doneOf = (progress: ScoreCheckpoint): number => progress.scored + progress.invalid.count;

export function addChunkToProgress(progress: ScoreCheckpoint, outcome: ChunkOutcome): void {
  for (const { id, reason } of outcome.invalid) {
    progress.invalid.count += 1;
    if (progress.invalid.firstIds.length < INVALID_IDS_LISTED) progress.invalid.firstIds.push(id);
    progress.invalid.reasons[reason] = (progress.invalid.reasons[reason] ?? 0) + 1;
  }
  outcome.labelCounts.forEach(
    (count, label) => (progress.labelCounts[label] = (progress.labelCounts[label] ?? 0) + count),
  );
  progress.scored += outcome.scored;
  progress.lastId = outcome.lastId;
}

export interface CommittedProgress {
  start(): Promise<void>;
  /** Before the write of a chunk that brings the job to `done`. */
  beforeWrite(done: number): Promise<void>;
}

/**
 * Reports progress as committed rows only. A chunk's write starts with what the chunks before it
 * committed; its own transaction moves progress_done on when it commits (`saveCheckpoint`).
 */
export function committedProgress(
  report: (phase: string, done: number, total: number) => Promise<void>,
  progress: ScoreCheckpoint,
): CommittedProgress {
  let committed = doneOf(progress);
  return {
    start: () => report('scoring', committed, progress.total),
    beforeWrite: async (done: number) => {
      await report('scoring', committed, Math.max(progress.total, done));
      committed = done;
    },
  };
}

/** Inside the chunk's transaction: the checkpoint and progress commit with its predictions. */
export async function saveCheckpoint(
  client: pg.Client,
  jobId: number,
  checkpoint: string,
  done: number,
): Promise<void> {
  await client.query(
    'UPDATE jobs SET checkpoint = $1, progress_done = $2, heartbeat_at = now(), updated_at = now() WHERE id = $3',
    [checkpoint, done, jobId],
  );
}
