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
  const sql = `SELECT p.record_id::float8 AS record_id, (${strategy.priority})::float8 AS priority, r.text, r.features,
                      p.probabilities::float8[] AS probabilities
                 FROM record_predictions p JOIN records r ON r.id = p.record_id
                WHERE ${where.join(' AND ')}
                ORDER BY ${order}`;
  return { sql, values };
}

interface CandidateRow {
  record_id: number;
  priority: number | null;
  text: string | null;
  features: Record<string, unknown> | null;
  probabilities: number[];
}

/**
 * Streams the candidates in order through a server-side cursor (one sort, read a page at a time),
 * calling `take` with each page until it answers false or none are left. Read-only, one snapshot.
 */
export async function forEachCandidatePage(
  client: pg.Client,
  query: CandidateQuery,
  pageSize: number,
  take: (page: Candidate[]) => Promise<boolean>,
): Promise<void> {
  const { sql, values } = candidateSql(query);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`DECLARE review_candidates NO SCROLL CURSOR FOR ${sql}`, values);
    for (;;) {
      const { rows } = await client.query<CandidateRow>(`FETCH ${pageSize} FROM review_candidates`);
      if (rows.length === 0) break;
      const page = rows.map((row) => ({
        recordId: row.record_id,
        priority: row.priority,
        text: row.text,
        features: row.features,
        probabilities: row.probabilities,
      }));
      if (!(await take(page)) || rows.length < pageSize) break;
    }
  } finally {
    await client.query('COMMIT').catch(() => undefined);
  }
}
