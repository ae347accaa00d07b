import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { PREDICTION_COLUMNS, type EncodedPredictions } from './encode-prediction-rows.js';
import { saveCheckpoint } from './record-progress.js';

/** Advisory lock namespace: scoring steps of one dataset take turns writing its predictions. */
const SCORE_LOCK = 0x5c0e;

/** A scored chunk, ready to commit: its predictions and the job's checkpoint as of this chunk. */
export interface ScoredChunk {
  predictions: EncodedPredictions;
  /** The checkpoint (JSON) and the records done, snapshotted when the chunk was scored. */
  checkpoint: string;
  done: number;
}

/**
 * One transaction: replace the chunk's predictions and commit the checkpoint with them. Steps of
 * scoring jobs on the same dataset take turns (advisory lock), so two jobs never interleave halfway.
 */
export async function writePredictions(
  client: pg.Client,
  datasetId: number,
  jobId: number,
  chunk: ScoredChunk,
): Promise<void> {
  await client.query('BEGIN');
  try {
    // A chunk's commit need not wait for its WAL flush: lost in a crash, it is lost with its
    // checkpoint, and the resumed job scores the chunk again; the job's final commit flushes them all.
    await client.query('SET LOCAL synchronous_commit = off');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [SCORE_LOCK, datasetId]);
    if (chunk.predictions.ids.length > 0) await replacePredictions(client, chunk.predictions);
    await saveCheckpoint(client, jobId, chunk.checkpoint, chunk.done);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function replacePredictions(client: pg.Client, encoded: EncodedPredictions): Promise<void> {
  // The first scoring of these records has no predictions to replace: one index probe then spares
  // sending and matching the chunk's ids. Under the lock, no other scoring of this dataset can add
  // any before this commits.
  const { rows } = await client.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM record_predictions WHERE record_id BETWEEN $1 AND $2) AS any',
    [encoded.firstId, encoded.lastId],
  );
  if (rows[0]?.any)
    await client.query('DELETE FROM record_predictions WHERE record_id = ANY ($1::bigint[])', [encoded.ids]);
  await pipeline(
    Readable.from([encoded.data]),
    client.query(copyFrom(`COPY record_predictions (${PREDICTION_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`)),
  );
}
