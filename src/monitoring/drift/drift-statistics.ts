import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import type { FeatureSpec } from '../../../models/enums.js';

/**
 * Above this many records per side (reference, live records, predict samples) the statistics are
 * computed on a deterministic sample of this size (records with the lowest `hashint8(id)`): the same
 * records every time, spread over the whole side. With 10,000 a side, KS moves by about ±0.015 (95%) and
 * PSI over 10 bins by about 0.002, far below the thresholds; below it everything is exact. The time of a
 * report grows with it (sample × features values are sorted): see test/bench/drift.bench.ts.
 */
export const DEFAULT_SAMPLE_CAP = 10_000;

/** Memory for the report's sorts and hashes (one statement at a time per report). */
const WORK_MEM = '192MB';

/** Deciles of the reference: 10 bins for PSI, as is usual. */
export const PSI_QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

/** Which training rows: the version's snapshot filter (train split, labelled, editedSince, tag). */
export interface ReferenceFilter {
  editedSince?: string;
  tag?: string;
}

export interface StatisticsInput {
  datasetId: number;
  versionId: number;
  schema: readonly FeatureSpec[];
  text: boolean;
  /** The version's words (text); null: no out-of-vocabulary figures. */
  vocabulary: readonly string[] | null;
  reference: ReferenceFilter;
  sampleCap: number;
}

/** One numeric (or derived: text length, per-record OOV rate) feature's aggregates. */
export interface NumericAggregate {
  feature: string;
  reference: { values: number; missing: number };
  live: { values: number; missing: number };
  /** Distinct deciles of the reference (bin i holds edges[i-1] ≤ x < edges[i]). */
  edges: number[];
  /** Counts per bin 0..edges.length, reference and live. */
  referenceBins: number[];
  liveBins: number[];
  /** Two-sample Kolmogorov–Smirnov statistic (exact over the values used); null without values on a side. */
  ks: number | null;
  /**
   * Where the two distributions part most: the first value above the KS point, and whether the live side
   * has more of its values from there on (else below it). Null when the KS point is the largest value.
   */
  ksSplit: { at: number; liveAbove: boolean } | null;
}

export interface CountAggregate {
  value: string | null;
  reference: number;
  live: number;
}

export interface DriftAggregates {
  /** Rows on each side before sampling (live = records; samples = predict samples). */
  totals: { reference: number; liveRecords: number; predictSamples: number };
  used: { reference: number; liveRecords: number; predictSamples: number };
  numeric: NumericAggregate[];
  categories: Array<{ feature: string; counts: CountAggregate[] }>;
  /** Reference: the training labels; live: the predicted labels. */
  labels: CountAggregate[];
  /** Tokens and tokens outside the vocabulary, per side (text with a vocabulary). */
  tokens: { reference: { tokens: number; oov: number }; live: { tokens: number; oov: number } } | null;
}

/**
 * The drift aggregates of one version, in one SQL statement: the reference (its training rows) and the
 * live side (records its batch scoring predicted outside the train split, and its sampled API
 * predictions) are chosen, sampled above `sampleCap`, and reduced to counts per bin and category, KS
 * statistics and token counts. No row reaches Node.
 */
export async function driftAggregates(input: StatisticsInput): Promise<DriftAggregates> {
  const { sql, replacements } = driftStatement(input);
  const sequelize = sequelizeOf();
  const row = await sequelize.transaction(async (transaction) => {
    // The sorts and hashes hold up to ~2 million values (10,000 rows × 30 features × 3 sides): in memory
    // they take a third of the time they take spilled to disk at the default 4 MB (measured at 1M records).
    await sequelize.query(`SET LOCAL work_mem = '${WORK_MEM}'`, { transaction });
    const [result] = await sequelize.query<{ result: RawResult }>(sql, {
      type: QueryTypes.SELECT,
      replacements,
      transaction,
    });
    return result!;
  });
  return fromRaw(row.result);
}

/** The statement and its parameters (the bench explains it). */
export function driftStatement(input: StatisticsInput): { sql: string; replacements: Record<string, unknown> } {
  const numbers = input.schema.filter((f) => f.type === 'number').map((f) => f.name);
  const categories = input.schema.filter((f) => f.type === 'category').map((f) => f.name);
  // predict_samples.feature_vector has the layout of records.feature_vector, which exists only when
  // every feature is a number: for a schema with categories a sample's features are unknown here.
  const vectorOnly = input.schema.length > 0 && categories.length === 0;
  const refWhere = [
    "r.split = 'train'",
    'r.label IS NOT NULL',
    ...(input.reference.editedSince ? ['r.updated_at >= CAST(:editedSince AS timestamptz)'] : []),
    ...(input.reference.tag ? ['r.tags @> ARRAY[CAST(:tag AS text)]'] : []),
  ].join(' AND ');
  const textParts = input.text
    ? `,
    texts AS MATERIALIZED (
      SELECT id, ref, text FROM picked WHERE text IS NOT NULL
      UNION ALL SELECT -id, false, text FROM samples WHERE text IS NOT NULL),
    tokens AS (
      SELECT t.id, t.ref, m[1] AS token FROM texts t,
        regexp_matches(lower(replace(t.text, U&'\\0130', 'i')), '[a-z0-9]+', 'g') AS m),
    vocab AS (SELECT DISTINCT word FROM unnest(CAST(:vocabulary AS text[])) AS word),
    per_text AS MATERIALIZED (
      SELECT t.id, t.ref, char_length(t.text) AS len, coalesce(k.n, 0) AS n, coalesce(k.oov, 0) AS oov
        FROM texts t LEFT JOIN (
          SELECT tokens.id, tokens.ref, count(*) AS n, count(*) FILTER (WHERE v.word IS NULL) AS oov
            FROM tokens LEFT JOIN vocab v ON v.word = tokens.token GROUP BY 1, 2) k
          ON k.id = t.id AND k.ref = t.ref)`
    : '';
  const textValues = input.text
    ? `
      UNION ALL SELECT 'length', ref, len::float8 FROM per_text
      ${input.vocabulary ? "UNION ALL SELECT 'out_of_vocabulary', ref, CASE WHEN n = 0 THEN 0 ELSE oov::float8 / n END FROM per_text" : ''}`
    : '';
  const sql = `
    WITH cand AS MATERIALIZED (
      SELECT r.id, (${refWhere}) AS ref
        FROM records r LEFT JOIN record_predictions p ON p.record_id = r.id AND p.model_version_id = :versionId
       WHERE r.dataset_id = :datasetId AND r.deleted_at IS NULL
         AND ((${refWhere}) OR (p.record_id IS NOT NULL AND r.split IS DISTINCT FROM 'train'))),
    ref_ids AS MATERIALIZED (SELECT id FROM cand WHERE ref ORDER BY hashint8(id) LIMIT :cap),
    live_ids AS MATERIALIZED (SELECT id FROM cand WHERE NOT ref ORDER BY hashint8(id) LIMIT :cap),
    picked AS MATERIALIZED (
      SELECT r.id, s.ref, r.features, r.feature_vector, r.text, r.label, p.predicted_label
        FROM (SELECT id, true AS ref FROM ref_ids UNION ALL SELECT id, false FROM live_ids) s
        JOIN records r ON r.id = s.id
        LEFT JOIN record_predictions p ON p.record_id = r.id AND NOT s.ref),
    samples AS MATERIALIZED (
      SELECT id, feature_vector, text, predicted_label FROM predict_samples
       WHERE model_version_id = :versionId ORDER BY hashint8(id) LIMIT :cap)${textParts},
    nums AS MATERIALIZED (
      SELECT f.name AS feature, p.ref,
             CASE WHEN p.feature_vector IS NOT NULL THEN drift_float4(p.feature_vector, (f.i - 1)::int)
                  WHEN jsonb_typeof(p.features -> f.name) = 'number' THEN (p.features ->> f.name)::float8 END AS x
        FROM picked p CROSS JOIN unnest(CAST(:numbers AS text[]), CAST(:positions AS int[])) AS f(name, i)
      ${vectorOnly ? 'UNION ALL SELECT f.name, false, drift_float4(s.feature_vector, (f.i - 1)::int) FROM samples s CROSS JOIN unnest(CAST(:allFeatures AS text[])) WITH ORDINALITY AS f(name, i) WHERE s.feature_vector IS NOT NULL' : ''}
      ${textValues}),
    totals AS MATERIALIZED (
      SELECT feature, count(x) FILTER (WHERE ref) AS nr, count(x) FILTER (WHERE NOT ref) AS nl,
             count(*) FILTER (WHERE ref AND x IS NULL) AS mr, count(*) FILTER (WHERE NOT ref AND x IS NULL) AS ml
        FROM nums GROUP BY feature),
    deciles AS (
      SELECT feature, percentile_cont(CAST(:quantiles AS float8[])) WITHIN GROUP (ORDER BY x) AS q
        FROM nums WHERE ref AND x IS NOT NULL GROUP BY feature),
    edges AS MATERIALIZED (SELECT feature, ARRAY(SELECT DISTINCT e FROM unnest(q) AS e ORDER BY e) AS edges FROM deciles),
    bins AS MATERIALIZED (
      SELECT n.feature, width_bucket(n.x, e.edges) AS b,
             count(*) FILTER (WHERE n.ref) AS cr, count(*) FILTER (WHERE NOT n.ref) AS cl
        FROM nums n JOIN edges e USING (feature) WHERE n.x IS NOT NULL GROUP BY 1, 2),
    ks AS MATERIALIZED (
      SELECT feature, max(ARRAY[d, -x, next_x, live_above]) AS best
        FROM (SELECT n.feature, n.x, lead(n.x) OVER w AS next_x,
                     abs(count(*) FILTER (WHERE n.ref) OVER w / t.nr::float8 - count(*) FILTER (WHERE NOT n.ref) OVER w / t.nl::float8) AS d,
                     CASE WHEN count(*) FILTER (WHERE n.ref) OVER w / t.nr::float8 > count(*) FILTER (WHERE NOT n.ref) OVER w / t.nl::float8 THEN 1 ELSE 0 END AS live_above
                FROM nums n JOIN totals t USING (feature)
               WHERE n.x IS NOT NULL AND t.nr > 0 AND t.nl > 0
              WINDOW w AS (PARTITION BY n.feature ORDER BY n.x)) c
       GROUP BY feature),
    bin_lists AS (SELECT feature, json_agg(json_build_array(b, cr, cl)) AS bins FROM bins GROUP BY feature),
    cats AS (
      SELECT f.name AS feature, p.ref, p.features ->> f.name AS v
        FROM picked p CROSS JOIN unnest(CAST(:categories AS text[])) AS f(name)),
    labels AS (
      SELECT label AS v, true AS ref FROM picked WHERE ref
      UNION ALL SELECT predicted_label, false FROM picked WHERE NOT ref
      UNION ALL SELECT predicted_label, false FROM samples)
    SELECT json_build_object(
      'totals', (SELECT json_build_object('reference', count(*) FILTER (WHERE ref), 'liveRecords', count(*) FILTER (WHERE NOT ref),
                  'predictSamples', (SELECT count(*) FROM predict_samples WHERE model_version_id = :versionId)) FROM cand),
      'used', json_build_object('reference', (SELECT count(*) FROM ref_ids), 'liveRecords', (SELECT count(*) FROM live_ids),
                  'predictSamples', (SELECT count(*) FROM samples)),
      'numeric', (SELECT coalesce(json_agg(json_build_object('feature', t.feature, 'nr', t.nr, 'nl', t.nl, 'mr', t.mr, 'ml', t.ml,
                    'edges', coalesce(e.edges, '{}'), 'ks', k.best[1], 'liveAbove', k.best[4] = 1, 'ksNext', k.best[3],
                    'bins', coalesce(bl.bins, '[]'))), '[]')
                  FROM totals t LEFT JOIN edges e USING (feature) LEFT JOIN ks k USING (feature) LEFT JOIN bin_lists bl USING (feature)),
      'categories', (SELECT coalesce(json_agg(json_build_array(feature, v, cr, cl)), '[]') FROM (
                  SELECT feature, v, count(*) FILTER (WHERE ref) AS cr, count(*) FILTER (WHERE NOT ref) AS cl FROM cats GROUP BY 1, 2) c),
      'labels', (SELECT coalesce(json_agg(json_build_array(v, cr, cl)), '[]') FROM (
                  SELECT v, count(*) FILTER (WHERE ref) AS cr, count(*) FILTER (WHERE NOT ref) AS cl FROM labels GROUP BY 1) l),
      'tokens', ${
        input.text && input.vocabulary
          ? `(SELECT json_build_object('reference', json_build_object('tokens', coalesce(sum(n) FILTER (WHERE ref), 0), 'oov', coalesce(sum(oov) FILTER (WHERE ref), 0)),
                  'live', json_build_object('tokens', coalesce(sum(n) FILTER (WHERE NOT ref), 0), 'oov', coalesce(sum(oov) FILTER (WHERE NOT ref), 0))) FROM per_text)`
          : 'NULL'
      }) AS result`;
  return {
    sql,
    replacements: {
      datasetId: input.datasetId,
      versionId: input.versionId,
      cap: input.sampleCap,
      numbers: toArray(numbers),
      // 1-based positions of the numbers in the schema: their place in records.feature_vector.
      positions: `{${numbers.map((n) => input.schema.findIndex((f) => f.name === n) + 1).join(',')}}`,
      categories: toArray(categories),
      allFeatures: toArray(input.schema.map((f) => f.name)),
      quantiles: `{${PSI_QUANTILES.join(',')}}`,
      vocabulary: toArray(input.vocabulary ?? []),
      editedSince: input.reference.editedSince ?? null,
      tag: input.reference.tag ?? null,
    },
  };
}

/** A Postgres array literal of strings (bound as one parameter: 20,000 words need no 20,000 placeholders). */
function toArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

interface RawResult {
  totals: { reference: number; liveRecords: number; predictSamples: number };
  used: { reference: number; liveRecords: number; predictSamples: number };
  numeric: Array<{
    feature: string;
    nr: number;
    nl: number;
    mr: number;
    ml: number;
    edges: number[];
    ks: number | null;
    liveAbove: boolean | null;
    ksNext: number | null;
    bins: Array<[number, number, number]>;
  }>;
  categories: Array<[string, string | null, number, number]>;
  labels: Array<[string | null, number, number]>;
  tokens: { reference: { tokens: number; oov: number }; live: { tokens: number; oov: number } } | null;
}

function fromRaw(raw: RawResult): DriftAggregates {
  const byFeature = new Map<string, CountAggregate[]>();
  for (const [feature, value, reference, live] of raw.categories) {
    const list = byFeature.get(feature) ?? [];
    list.push({ value, reference: Number(reference), live: Number(live) });
    byFeature.set(feature, list);
  }
  return {
    totals: numbersOf(raw.totals),
    used: numbersOf(raw.used),
    numeric: raw.numeric.map((n) => {
      const referenceBins = new Array<number>(n.edges.length + 1).fill(0);
      const liveBins = new Array<number>(n.edges.length + 1).fill(0);
      for (const [b, cr, cl] of n.bins) {
        referenceBins[b] = Number(cr);
        liveBins[b] = Number(cl);
      }
      return {
        feature: n.feature,
        reference: { values: Number(n.nr), missing: Number(n.mr) },
        live: { values: Number(n.nl), missing: Number(n.ml) },
        edges: n.edges.map(Number),
        referenceBins,
        liveBins,
        ks: n.ks === null ? null : Number(n.ks),
        ksSplit: n.ksNext === null || n.liveAbove === null ? null : { at: Number(n.ksNext), liveAbove: n.liveAbove },
      };
    }),
    categories: [...byFeature].map(([feature, counts]) => ({ feature, counts })),
    labels: raw.labels.map(([value, reference, live]) => ({ value, reference: Number(reference), live: Number(live) })),
    tokens: raw.tokens
      ? {
          reference: { tokens: Number(raw.tokens.reference.tokens), oov: Number(raw.tokens.reference.oov) },
          live: { tokens: Number(raw.tokens.live.tokens), oov: Number(raw.tokens.live.oov) },
        }
      : null,
  };
}

const numbersOf = (o: { reference: number; liveRecords: number; predictSamples: number }) => ({
  reference: Number(o.reference),
  liveRecords: Number(o.liveRecords),
  predictSamples: Number(o.predictSamples),
});
