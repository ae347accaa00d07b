import type pg from 'pg';
import type { FeatureSpec, ReviewStrategy } from '../../models/enums.js';
import type { QueueFilter } from './queue-filter.js';

/** One scored record offered to a queue, in the strategy's order. */
export interface Candidate {
  recordId: number;
  /** The strategy's value (margin, entropy, score…), stored beside the item. */
  priority: number | null;
  text: string | null;
  features: Record<string, unknown> | null;
  /** The queue version's probabilities, in its label order. */
  probabilities: number[];
}

export interface CandidateQuery {
  datasetId: number;
  versionId: number;
  strategy: ReviewStrategy;
  filter: QueueFilter;
  featureSchema: readonly FeatureSpec[];
  /** `random`'s seed (the queue id: the same queue is always drawn the same way). */
  seed: number;
  /** Read each candidate's text and features too (dedupe, out-of-vocabulary slices, disagreement). */
  withInput: boolean;
}

/**
 * How many candidates to sort for: `first` at once (Postgres keeps only the top rows of its sort,
 * in memory), and only when those run out (dropped as duplicates or outside the slice) the rest, up to
 * `max` (default: all).
 */
export interface CandidateLimits {
  first: number;
  max?: number;
}

/**
 * Each strategy as SQL over the version's predictions (record_predictions holds each record's latest
 * prediction): the value stored as the item's priority, an extra condition, and the order. Ties go
 * to the lower record id, so a queue is reproducible. `disagreement` reads the version's least
 * certain records first (where two versions most often disagree); the job re-orders them by how
 * far the two versions' probabilities are apart.
 */
const STRATEGY_SQL: Record<
  ReviewStrategy,
  { priority: string; where: string; order: string | ((seed: string) => string) }
> = {
  least_margin: { priority: 'p.margin', where: 'p.margin IS NOT NULL', order: 'p.margin ASC, p.record_id ASC' },
  highest_entropy: {
    priority: 'p.entropy',
    where: 'p.entropy IS NOT NULL',
    order: 'p.entropy DESC, p.record_id ASC',
  },
  // Confident mistakes first: a label the model contradicts with high probability is the likeliest label error.
  misclassified: {
    priority: 'p.score',
    where: 'r.label IS NOT NULL AND r.label <> p.predicted_label',
    order: 'p.score DESC, p.record_id ASC',
  },
  disagreement: { priority: 'p.margin', where: 'p.margin IS NOT NULL', order: 'p.margin ASC, p.record_id ASC' },
  random: {
    priority: 'p.margin',
    where: 'TRUE',
    order: (seed) => `md5(${seed}::text || ':' || p.record_id::text) COLLATE "C", p.record_id ASC`,
  },
  drift: { priority: 'p.margin', where: 'p.margin IS NOT NULL', order: 'p.margin ASC, p.record_id ASC' },
};

/** The candidates' SELECT and its parameters; the slice's out-of-vocabulary rate is checked by the job (it needs the vocabulary). */
export function candidateSql(query: CandidateQuery): { sql: string; values: unknown[] } {
  const strategy = STRATEGY_SQL[query.strategy];
  const values: unknown[] = [query.versionId, query.datasetId];
  const bind = (value: unknown) => `$${values.push(value)}`;
  const where = ['p.model_version_id = $1', 'r.dataset_id = $2', 'r.deleted_at IS NULL', strategy.where];
  const { split, tag, label, slice } = query.filter;
  if (split) where.push(`r.split = ${bind(split)}`);
  if (tag) where.push(`r.tags @> ARRAY[${bind(tag)}::text]`);
  if (label) where.push(`r.label = ${bind(label)}`);
  if (slice) {
    const spec = query.featureSchema.find((f) => f.name === slice.feature);
    if (slice.feature === 'length' && !spec) {
      if (slice.min !== undefined) where.push(`char_length(r.text) >= ${bind(slice.min)}`);
      if (slice.max !== undefined) where.push(`char_length(r.text) < ${bind(slice.max)}`);
    } else if (spec?.type === 'category') {
      where.push(`r.features ->> ${bind(spec.name)} = ${bind(slice.value)}`);
    } else if (spec?.type === 'number') {
      const name = bind(spec.name);
      const value = `(CASE WHEN jsonb_typeof(r.features -> ${name}) = 'number' THEN (r.features ->> ${name})::float8 END)`;
      if (slice.min !== undefined) where.push(`${value} >= ${bind(slice.min)}`);
      if (slice.max !== undefined) where.push(`${value} < ${bind(slice.max)}`);
      if (slice.min === undefined && slice.max === undefined) where.push(`${value} IS NOT NULL`);
    }
  }
  const order = typeof strategy.order === 'string' ? strategy.order : strategy.order(bind(String(query.seed)));
  // Narrow rows: the sort carries ids and numbers only; texts and features are read per page, when needed.
  const sql = `SELECT p.record_id::float8 AS record_id, (${strategy.priority})::float8 AS priority,
                      p.probabilities::float8[] AS probabilities
                 FROM record_predictions p JOIN records r ON r.id = p.record_id
                WHERE ${where.join(' AND ')}
                ORDER BY ${order}`;
  return { sql, values };
}

interface CandidateRow {
  record_id: number;
  priority: number | null;
  probabilities: number[];
}

/**
 * Streams the candidates in order through a server-side cursor, a page at a time, calling `take` with
 * each page until it answers false or none are left. The first `limits.first` rows are sorted as a
 * top-N (bounded memory, no spill to disk at a million scored records); only when `take` wants more
 * are the rest read, after them, in the same read-only snapshot (so the order cannot shift between).
 */
export async function forEachCandidatePage(
  client: pg.Client,
  query: CandidateQuery,
  pageSize: number,
  limits: CandidateLimits,
  take: (page: Candidate[]) => Promise<boolean>,
): Promise<void> {
  const { sql, values } = candidateSql(query);
  const rounds = [`LIMIT ${limits.first}`];
  if (limits.max === undefined) rounds.push(`OFFSET ${limits.first}`);
  else if (limits.max > limits.first) rounds.push(`OFFSET ${limits.first} LIMIT ${limits.max - limits.first}`);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    for (const [round, bounds] of rounds.entries()) {
      await client.query(`DECLARE review_candidates_${round} NO SCROLL CURSOR FOR ${sql} ${bounds}`, values);
      let read = 0;
      for (;;) {
        const { rows } = await client.query<CandidateRow>(`FETCH ${pageSize} FROM review_candidates_${round}`);
        read += rows.length;
        if (rows.length > 0 && !(await take(await withInputs(client, query, rows)))) return;
        if (rows.length < pageSize) break;
      }
      // Fewer than the first round asked for: there is nothing after them.
      if (round === 0 && read < limits.first) return;
    }
  } finally {
    await client.query('COMMIT').catch(() => undefined);
  }
}

/** The page as candidates, with their texts and features read by id when the query wants them. */
async function withInputs(client: pg.Client, query: CandidateQuery, rows: CandidateRow[]): Promise<Candidate[]> {
  const inputs = new Map<number, { text: string | null; features: Record<string, unknown> | null }>();
  if (query.withInput) {
    const { rows: found } = await client.query<{
      id: number;
      text: string | null;
      features: Record<string, unknown> | null;
    }>('SELECT id::float8 AS id, text, features FROM records WHERE id = ANY($1::bigint[])', [
      rows.map((r) => r.record_id),
    ]);
    for (const row of found) inputs.set(row.id, { text: row.text, features: row.features });
  }
  return rows.map((row) => ({
    recordId: row.record_id,
    priority: row.priority,
    text: inputs.get(row.record_id)?.text ?? null,
    features: inputs.get(row.record_id)?.features ?? null,
    probabilities: row.probabilities,
  }));
}
