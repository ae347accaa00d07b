import { lastIdOf, type RecordChunk } from './read-record-chunk.js';
import type { ScoreCheckpoint } from './score-input.js';
import type { ScoredChunk } from './write-predictions.js';

/** What happens to each chunk, in order. */
export interface ChunkSteps {
  /** The chunk after `afterId`; an empty one ends the run. */
  read(afterId: number): Promise<RecordChunk>;
  score(chunk: RecordChunk): Promise<ScoredChunk>;
  /** Awaited before the chunk's write starts; throwing (a cancelled job) stops the run there. */
  beforeWrite(chunk: ScoredChunk): Promise<void>;
  write(chunk: ScoredChunk): Promise<void>;
}

/**
 * Three stages at once: Postgres reads chunk k+1 while this process scores chunk k and the other
 * connection writes chunk k-1. (Two read streams measured no faster: the machine's cores are the
 * limit, and each stream visited every row.) Writes run one at a time, in order, each while the next
 * chunk is already being scored, so the checkpoint each commits is the snapshot taken when its chunk
 * was scored. Time spent waiting for writes is added to `timings.writeMs`.
 */
export async function runChunkPipeline(
  afterId: number,
  timings: Pick<ScoreCheckpoint['timings'], 'writeMs'>,
  steps: ChunkSteps,
): Promise<void> {
  let writing: Promise<void> = Promise.resolve();
  const writeFinished = async (): Promise<void> => {
    const waited = performance.now();
    await writing; // a failed write stops the job here
    timings.writeMs += performance.now() - waited;
  };
  let next = awaitedLater(steps.read(afterId));
  try {
    for (;;) {
      const chunk = await next;
      if (chunk.ids.length === 0) break;
      next = awaitedLater(steps.read(lastIdOf(chunk))); // may fail while this chunk is scored
      const scored = await steps.score(chunk);
      await writeFinished(); // the previous chunk's
      await steps.beforeWrite(scored);
      writing = awaitedLater(steps.write(scored));
    }
    await writeFinished();
  } finally {
    // Never hand a connection back to the pool with a COPY or a write still running on it.
    await Promise.all([next.catch(() => undefined), writing.catch(() => undefined)]);
  }
}

/**
 * Marks a promise that runs while other steps are awaited as handled: if it fails meanwhile (the
 * database restarting under a read-ahead), the failure reaches whoever awaits it later and stops the
 * job there, instead of an unhandled rejection ending the whole worker process.
 */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
