import * as z from 'zod';
import { Dataset, ModelVersion, ReviewQueue, sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { withAudit } from '../audit/with-audit.js';
import { withRawConnection } from '../db/raw-connection.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';
import { tokenize, type Vocabulary } from '../ml/text/tfidf.js';
import { versionVocabulary } from '../ml/text/version-vocabulary.js';
import { disagreementOrder } from './disagreement.js';
import { NearDuplicates } from './near-duplicates.js';
import { forEachCandidatePage, type Candidate, type CandidateQuery } from './queue-candidates.js';
import { QueueFilterSchema, type DriftSlice } from './queue-filter.js';

/** The job's parameters; the dataset is there for the job's name in lists ("review penguins"). */
export const ReviewJobParams = z.object({
  queueId: z.number().int().positive(),
  datasetId: z.number().int().positive().optional(),
  size: z.number().int().positive(),
});

/** Candidates read from the cursor at a time. */
const PAGE_ROWS = 1_000;

export interface BuildResult {
  queueId: number;
  /** Items in the queue. */
  size: number;
  /** Candidates read in the strategy's order (disagreement: compared by both versions). */
  examined: number;
  duplicatesDropped: number;
  /** Candidates left out by the slice's out-of-vocabulary range (text). */
  outsideSlice: number;
  status: string;
}

/**
 * The `review` job: reads the version's scored records in the strategy's order (SQL, one cursor),
 * keeps those in the slice, drops near-duplicates of ones kept, stops at the queue's size, and writes
 * the items (positions 1…n) with the queue opened, in one audited transaction. A retry starts over
 * (the items are replaced); a closed queue is left alone.
 */
export async function buildReviewQueue(
  actor: Actor,
  rawParams: Record<string, unknown>,
  context: { jobId: number; progress: (phase: string, done: number, total: number) => Promise<void> },
): Promise<BuildResult> {
  // Asked again when the job runs: a role taken away meanwhile stops it.
  if (decide(actor, 'reviewQueues', 'create') !== true)
    throw new Forbidden('review_queue.forbidden', refusalMessage(actor, 'reviewQueues', 'create'));
  const params = ReviewJobParams.parse(rawParams);
  const queue = await ReviewQueue.findByPk(params.queueId);
  if (!queue) throw new InvalidInput('review_queue.gone', `Review queue ${params.queueId} no longer exists.`);
  if (queue.status === 'closed')
    return {
      queueId: queue.id,
      size: queue.size,
      examined: 0,
      duplicatesDropped: 0,
      outsideSlice: 0,
      status: 'closed',
    };
  try {
    return await fillQueue(actor, queue, params.size, context);
  } catch (error) {
    await queue.update({ status: 'failed', jobId: context.jobId }).catch(() => undefined);
    throw error;
  }
}

async function fillQueue(
  actor: Actor,
  queue: ReviewQueue,
  size: number,
  context: { jobId: number; progress: (phase: string, done: number, total: number) => Promise<void> },
): Promise<BuildResult> {
  const dataset = (await Dataset.findByPk(queue.datasetId))!;
  const filter = QueueFilterSchema.parse(queue.filter);
  const wantsVocabulary = filter.dedupe === 'tfidf' || filter.slice?.feature === 'out_of_vocabulary';
  const vocabulary = wantsVocabulary ? await versionVocabulary(queue.modelVersionId) : null;
  const dedupe = new NearDuplicates(
    filter.dedupe,
    dataset.featureSchema.map((f) => f.name),
    vocabulary,
    filter.similarity,
  );
  const inSlice = oovCheck(dataset.task === 'text-classification' ? filter.slice : undefined, vocabulary);
  const query: CandidateQuery = {
    datasetId: dataset.id,
    versionId: queue.modelVersionId,
    strategy: queue.strategy,
    filter,
    featureSchema: dataset.featureSchema,
    seed: queue.id,
    withInput:
      filter.dedupe !== undefined || filter.slice?.feature === 'out_of_vocabulary' || queue.strategy === 'disagreement',
  };
  // Without anything to drop, the first `size` candidates are the queue; with dedupe or an
  // out-of-vocabulary range, read a margin more before sorting the rest.
  const dropsSome = query.withInput && queue.strategy !== 'disagreement';
  const limits = { first: dropsSome ? 2 * size + 100 : size };
  const chosen: Array<{ recordId: number; priority: number | null }> = [];
  let examined = 0;
  let outsideSlice = 0;
  const offer = (candidate: Candidate): boolean => {
    if (!inSlice(candidate)) outsideSlice += 1;
    else if (dedupe.admit(candidate)) chosen.push({ recordId: candidate.recordId, priority: candidate.priority });
    return chosen.length < size;
  };
  await context.progress('choosing records', 0, size);
  if (queue.strategy === 'disagreement') {
    const [version, compare] = await Promise.all([
      ModelVersion.findByPk(queue.modelVersionId),
      ModelVersion.unscoped().findByPk(queue.compareVersionId!),
    ]);
    if (!version || !compare)
      throw new InvalidInput('review_queue.gone', 'One of the two versions to compare no longer exists.');
    const ordered = await disagreementOrder(query, version, compare, dataset, (done, total) =>
      context.progress('comparing the two versions', done, total),
    );
    examined = ordered.examined;
    for (const candidate of ordered.disagreeing) if (!offer(candidate)) break;
  } else {
    await withRawConnection(sequelizeOf(), (client) =>
      forEachCandidatePage(client, query, PAGE_ROWS, limits, async (page) => {
        let more = true;
        for (const candidate of page) {
          examined += 1;
          if (!(more = offer(candidate))) break;
        }
        await context.progress('choosing records', chosen.length, size);
        return more;
      }),
    );
  }
  const status = await writeItems(actor, queue, chosen, context.jobId, {
    examined,
    duplicatesDropped: dedupe.dropped,
    outsideSlice,
  });
  await context.progress('queue open', chosen.length, chosen.length);
  return { queueId: queue.id, size: chosen.length, examined, duplicatesDropped: dedupe.dropped, outsideSlice, status };
}

/** The items in order and the queue opened, with its audit event; a queue closed meanwhile stays closed and empty-handed. */
async function writeItems(
  actor: Actor,
  queue: ReviewQueue,
  chosen: ReadonlyArray<{ recordId: number; priority: number | null }>,
  jobId: number,
  counts: { examined: number; duplicatesDropped: number; outsideSlice: number },
): Promise<string> {
  return withAudit(actor, { action: 'review_queues.build', resource: 'reviewQueues' }, async (transaction, audit) => {
    const [rows] = await sequelizeOf().query(
      `UPDATE review_queues SET status = 'open', size = :size, job_id = :jobId, updated_at = now()
        WHERE id = :queueId AND status <> 'closed' RETURNING status`,
      { replacements: { size: chosen.length, jobId, queueId: queue.id }, transaction },
    );
    if (rows.length === 0) {
      audit.note({ recordIds: [queue.id], after: { status: 'closed', size: 0, ...counts } });
      return 'closed';
    }
    await sequelizeOf().query('DELETE FROM review_items WHERE queue_id = :queueId', {
      replacements: { queueId: queue.id },
      transaction,
    });
    if (chosen.length > 0)
      await sequelizeOf().query(
        `INSERT INTO review_items (queue_id, position, record_id, priority)
         SELECT :queueId, t.position, t.record_id, t.priority
           FROM unnest(CAST(:positions AS int[]), CAST(:recordIds AS bigint[]), CAST(:priorities AS real[]))
                AS t(position, record_id, priority)`,
        {
          replacements: {
            queueId: queue.id,
            positions: `{${chosen.map((_, i) => i + 1).join(',')}}`,
            recordIds: `{${chosen.map((c) => c.recordId).join(',')}}`,
            priorities: `{${chosen.map((c) => (c.priority === null ? 'NULL' : String(c.priority))).join(',')}}`,
          },
          transaction,
        },
      );
    audit.note({
      recordIds: [queue.id],
      after: { status: 'open', size: chosen.length, strategy: queue.strategy, jobId, ...counts },
    });
    return 'open';
  });
}

/** The slice's out-of-vocabulary range as a check of one candidate (everything passes without one). */
function oovCheck(slice: DriftSlice | undefined, vocabulary: Vocabulary | null): (c: Candidate) => boolean {
  if (slice?.feature !== 'out_of_vocabulary' || !vocabulary) return () => true;
  return (candidate) => {
    const rate = outOfVocabularyRate(candidate.text ?? '', vocabulary);
    return (slice.min === undefined || rate >= slice.min) && (slice.max === undefined || rate <= slice.max);
  };
}

/** The share of a text's tokens (as the model tokenises) outside the vocabulary; 0 for a text without tokens. */
export function outOfVocabularyRate(text: string, vocabulary: Vocabulary): number {
  const tokens = tokenize(text);
  if (tokens.length === 0) return 0;
  return tokens.filter((t) => !vocabulary.index.has(t)).length / tokens.length;
}
