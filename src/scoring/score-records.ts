import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { withRawConnections } from '../db/raw-connection.js';
import { checkScoringAccess } from './check-scoring-access.js';
import { openScoringModel } from './open-scoring-model.js';
import { readRecordChunk } from './read-record-chunk.js';
import { committedProgress } from './record-progress.js';
import { resumeFromCheckpoint } from './resume-from-checkpoint.js';
import { runChunkPipeline } from './run-chunk-pipeline.js';
import { scoreChunk } from './score-chunk.js';
import { ScoreJobParams } from './score-input.js';
import { scoreResult, type ScoreResult } from './score-result.js';
import type { ScoringSettings } from './scoring-settings.js';
import { writePredictions } from './write-predictions.js';

export interface ScoreContext {
  jobId: number;
  /** What an earlier attempt committed (null on the first). */
  checkpoint: Record<string, unknown> | null;
  progress: (phase: string, done: number, total: number) => Promise<void>;
}

/**
 * Scores the job's records with its model version, chunk by chunk in id order: read with COPY (the
 * next chunk is read while this one is scored and written), inference in onnxruntime batches, then
 * one transaction per chunk that replaces the chunk's predictions (COPY into record_predictions) and
 * commits the checkpoint. Killed part-way, the job goes on after the last committed chunk: every
 * record ends up scored exactly once by the version, nothing is half-written, and records are never
 * written (only their predictions), so edits made meanwhile stay. Records whose input does not fit
 * the model are counted in the result with their ids and reasons, not scored.
 */
export async function scoreRecords(
  actor: Actor,
  rawParams: Record<string, unknown>,
  context: ScoreContext,
  settings: ScoringSettings,
): Promise<ScoreResult> {
  checkScoringAccess(actor);
  const params = ScoreJobParams.parse(rawParams);
  const model = await openScoringModel(params);
  try {
    const started = performance.now();
    const progress = await resumeFromCheckpoint(context.checkpoint, params, model.labels);
    const wallBefore = progress.timings.wallMs; // earlier attempts'
    const wallMs = () => wallBefore + (performance.now() - started);
    const reported = committedProgress(context.progress, progress);
    await withRawConnections(sequelizeOf(), 2, async ([reader, writer]) => {
      await reported.start();
      await runChunkPipeline(progress.lastId, progress.timings, {
        read: (afterId) => readRecordChunk(reader!, model, params, afterId, settings.chunkRows),
        score: (chunk) => scoreChunk(chunk, model, progress, context.jobId, wallMs),
        beforeWrite: (chunk) => reported.beforeWrite(chunk.done),
        write: (chunk) => writePredictions(writer!, params.datasetId, context.jobId, chunk),
      });
    });
    progress.timings.wallMs = wallMs();
    return scoreResult(model, progress);
  } finally {
    await model.classifier.release();
  }
}
