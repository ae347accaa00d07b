import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordChunk } from '../../../src/scoring/read-record-chunk.js';
import { runChunkPipeline, type ChunkSteps } from '../../../src/scoring/run-chunk-pipeline.js';
import type { ScoredChunk } from '../../../src/scoring/write-predictions.js';

const textChunk = (ids: number[]): RecordChunk => ({ kind: 'text', ids, texts: ids.map(() => null), readMs: 0 });
const scored = (chunk: RecordChunk): ScoredChunk =>
  ({
    predictions: {},
    checkpoint: JSON.stringify({ lastId: Math.max(...chunk.ids) }),
    done: chunk.ids.length,
  }) as unknown as ScoredChunk;

/** Runs `work` and returns what it threw, with every rejection nobody handled meanwhile. */
async function watchUnhandled(work: () => Promise<void>): Promise<{ thrown: unknown; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const listeners = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection'); // mocha's would fail the test before we can say why
  process.on('unhandledRejection', (reason) => unhandled.push(reason));
  let thrown: unknown;
  try {
    await work();
  } catch (error) {
    thrown = error;
  } finally {
    await sleep(10); // let Node report a rejection still unhandled
    process.removeAllListeners('unhandledRejection');
    for (const listener of listeners) process.on('unhandledRejection', listener);
  }
  return { thrown, unhandled };
}

describe('scoring chunk pipeline', () => {
  it('writes every chunk in order while the next is read and scored', async () => {
    const chunks = [[1, 2], [3, 5], [8], []];
    const reads: number[] = [];
    const written: string[] = [];
    await runChunkPipeline(
      0,
      { writeMs: 0 },
      {
        read: async (afterId) => {
          reads.push(afterId);
          return textChunk(chunks.shift()!);
        },
        score: async (chunk) => scored(chunk),
        beforeWrite: async () => undefined,
        write: async (chunk) => {
          await sleep(2);
          written.push(chunk.checkpoint);
        },
      },
    );
    assert.deepEqual(reads, [0, 2, 5, 8]);
    assert.deepEqual(
      written.map((c) => (JSON.parse(c) as { lastId: number }).lastId),
      [2, 5, 8],
    );
  });

  it('fails the run, not the process, when the read-ahead fails while a chunk is being scored', async () => {
    // The database restarting: the next chunk's query fails while this chunk is still in inference.
    const lost = new Error('Client has encountered a connection error and is not queryable');
    let reads = 0;
    const written: number[] = [];
    const steps: ChunkSteps = {
      read: async () => {
        reads += 1;
        if (reads === 1) return textChunk([1, 2]);
        throw lost;
      },
      score: async (chunk) => {
        await sleep(20);
        return scored(chunk);
      },
      beforeWrite: async () => undefined,
      write: async (chunk) => {
        written.push(chunk.done);
      },
    };
    const { thrown, unhandled } = await watchUnhandled(() => runChunkPipeline(0, { writeMs: 0 }, steps));
    assert.equal(thrown, lost);
    assert.deepEqual(unhandled, []);
    assert.deepEqual(written, [2], 'the chunk scored before the failure is still written (its checkpoint with it)');
  });

  it('fails the run, not the process, when a write fails while the next chunk is being scored', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const chunks = [[1], [2], [3], []];
    const steps: ChunkSteps = {
      read: async () => textChunk(chunks.shift()!),
      score: async (chunk) => {
        await sleep(20);
        return scored(chunk);
      },
      beforeWrite: async () => undefined,
      write: async () => {
        throw lost;
      },
    };
    const { thrown, unhandled } = await watchUnhandled(() => runChunkPipeline(0, { writeMs: 0 }, steps));
    assert.equal(thrown, lost);
    assert.deepEqual(unhandled, []);
  });
});
