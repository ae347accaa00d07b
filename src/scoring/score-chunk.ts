import { encodePredictionRows } from './encode-prediction-rows.js';
import type { ScoringModel } from './open-scoring-model.js';
import { lastIdOf, type RecordChunk } from './read-record-chunk.js';
import { addChunkToProgress, doneOf } from './record-progress.js';
import { runModel } from './run-model.js';
import type { ScoreCheckpoint } from './score-input.js';
import type { ScoredChunk } from './write-predictions.js';

/**
 * Runs the model on a chunk, encodes its predictions and adds the chunk to the job's progress;
 * returns what the chunk's write commits (its rows and the checkpoint as of this chunk).
 */
export async function scoreChunk(
  chunk: RecordChunk,
  model: ScoringModel,
  progress: ScoreCheckpoint,
  jobId: number,
  wallMs: () => number,
): Promise<ScoredChunk> {
  progress.timings.readMs += chunk.readMs;
  const begun = performance.now();
  const output = await runModel(model, chunk);
  const predictions = encodePredictionRows(chunk.ids, output, model.labels, model.versionId, jobId);
  addChunkToProgress(progress, {
    invalid: output.invalid,
    scored: predictions.ids.length,
    labelCounts: predictions.labelCounts,
    lastId: lastIdOf(chunk),
  });
  progress.timings.inferMs += performance.now() - begun;
  progress.timings.wallMs = wallMs();
  return { predictions, checkpoint: JSON.stringify(progress), done: doneOf(progress) };
}
