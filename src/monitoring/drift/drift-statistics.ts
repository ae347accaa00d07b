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
 * The drift aggregates of one version. The reference (its training rows) is what the version was
 * trained on, so its side is reduced once (`drift_references`, `drift_reference_values`: sorted sample
 * per feature, deciles, bin counts, category, label and token counts) at the first report, and every
 * report after scans only the live side (records its batch scoring predicted outside the train split,
 * and its sampled API predictions), sampled above `sampleCap`, reduced to counts per bin and category,
 * KS statistics and token counts. No row reaches Node.
 */
export async function driftAggregates(input: StatisticsInput): Promise<DriftAggregates> {
  const sequelize = sequelizeOf();
  return sequelize.transaction(async (transaction) => {
    // The sorts and hashes hold up to ~1 million values (10,000 rows × 30 features × 2 sides): in memory
    // they take a third of the time they take spilled to disk at the default 4 MB (measured at 1M records).
    await sequelize.query(`SET LOCAL work_mem = '${WORK_MEM}'`, { transaction });
    const replacements = replacementsOf(input);
    const stored = async () =>
      (
        await sequelize.query<{ profile: ReferenceProfile }>(
          'SELECT profile FROM drift_references WHERE model_version_id = :versionId AND sample_cap = :cap',
          { type: QueryTypes.SELECT, replacements, transaction },
        )
      )[0];
    let reference = await stored();
    if (!reference) {
      await sequelize.query(referenceStatement(input), { type: QueryTypes.SELECT, replacements, transaction });
      reference = await stored();
    }
    const [live] = await sequelize.query<{ result: LiveResult }>(liveStatement(input), {
      type: QueryTypes.SELECT,
      replacements,
      transaction,
    });
    return merge(reference!.profile, live!.result);
  });
}

/** The rows of one side as `picked` (and the live side's `samples`), their text figures and `nums`. */
function sideParts(input: StatisticsInput, side: 'reference' | 'live'): string {
  const categories = input.schema.filter((f) => f.type === 'category');
  // predict_samples.feature_vector has the layout of records.feature_vector, which exists only when
  // every feature is a number: for a schema with categories a sample's features are unknown here.
  const vectorOnly = side === 'live' && input.schema.length > 0 && categories.length === 0;
  const live = side === 'live';
  const refWhere = [
    "r.split = 'train'",
    'r.label IS NOT NULL',
    ...(input.reference.editedSince ? ['r.updated_at >= CAST(:editedSince AS timestamptz)'] : []),
    ...(input.reference.tag ? ['r.tags @> ARRAY[CAST(:tag AS text)]'] : []),
  ].join(' AND ');
  const samplesText = live ? 'UNION ALL SELECT -id, false, text FROM samples WHERE text IS NOT NULL' : '';
  const textParts = input.text
    ? `,
    texts AS MATERIALIZED (
      SELECT id, ref, text FROM picked WHERE text IS NOT NULL
      ${samplesText}),
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
  const pick = live
    ? // A version's live records through its predictions (index on model_version_id): the dataset's
      // other records are never read.
      `live_all AS MATERIALIZED (
      SELECT r.id FROM record_predictions p JOIN records r ON r.id = p.record_id
       WHERE p.model_version_id = :versionId AND r.dataset_id = :datasetId AND r.deleted_at IS NULL
         AND r.split IS DISTINCT FROM 'train'),
    side_ids AS MATERIALIZED (SELECT id FROM live_all ORDER BY hashint8(id) LIMIT :cap),
    picked AS MATERIALIZED (
      SELECT r.id, false AS ref, r.features, r.feature_vector, r.text, r.label, p.predicted_label
        FROM side_ids s JOIN records r ON r.id = s.id LEFT JOIN record_predictions p ON p.record_id = r.id),
    samples AS MATERIALIZED (
      SELECT id, feature_vector, text, predicted_label FROM predict_samples
       WHERE model_version_id = :versionId ORDER BY hashint8(id) LIMIT :cap)`
    : `ref_all AS MATERIALIZED (
      SELECT r.id FROM records r WHERE r.dataset_id = :datasetId AND r.deleted_at IS NULL AND ${refWhere}),
    side_ids AS MATERIALIZED (SELECT id FROM ref_all ORDER BY hashint8(id) LIMIT :cap),
    picked AS MATERIALIZED (
      SELECT r.id, true AS ref, r.features, r.feature_vector, r.text, r.label
        FROM side_ids s JOIN records r ON r.id = s.id)`;
  return `${pick}${textParts},
    nums AS MATERIALIZED (
      SELECT f.name AS feature, p.ref,
             CASE WHEN p.feature_vector IS NOT NULL THEN drift_float4(p.feature_vector, (f.i - 1)::int)
                  WHEN jsonb_typeof(p.features -> f.name) = 'number' THEN (p.features ->> f.name)::float8 END AS x
        FROM picked p CROSS JOIN unnest(CAST(:numbers AS text[]), CAST(:positions AS int[])) AS f(name, i)
      ${vectorOnly ? 'UNION ALL SELECT f.name, false, drift_float4(s.feature_vector, (f.i - 1)::int) FROM samples s CROSS JOIN unnest(CAST(:allFeatures AS text[])) WITH ORDINALITY AS f(name, i) WHERE s.feature_vector IS NOT NULL' : ''}
      ${textValues}),
    cats AS (
      SELECT f.name AS feature, p.ref, p.features ->> f.name AS v
        FROM picked p CROSS JOIN unnest(CAST(:categories AS text[])) AS f(name))`;
}

/**
 * Reduces the reference side once and stores it: per feature its values sorted (KS), deciles
 * (`percentile_cont`, numpy's linear interpolation; duplicates merged) and counts per bin; the
 * category, label and token counts. Two reports at once both compute it; the first stored wins.
 */
function referenceStatement(input: StatisticsInput): string {
  return `
    WITH ${sideParts(input, 'reference')},
    per_feature AS MATERIALIZED (
      SELECT feature, count(*) FILTER (WHERE x IS NULL) AS missing,
             coalesce(array_agg(x ORDER BY x) FILTER (WHERE x IS NOT NULL), '{}') AS sorted,
             CASE WHEN count(x) > 0 THEN percentile_cont(CAST(:quantiles AS float8[])) WITHIN GROUP (ORDER BY x) END AS q
        FROM nums GROUP BY feature),
    edged AS MATERIALIZED (
      SELECT feature, missing, sorted,
             CASE WHEN q IS NOT NULL THEN ARRAY(SELECT DISTINCT e FROM unnest(q) AS e ORDER BY e) END AS edges
        FROM per_feature),
    profile AS (
      INSERT INTO drift_references (model_version_id, sample_cap, profile)
      SELECT :versionId, :cap, json_build_object(
        'records', (SELECT count(*) FROM ref_all),
        'used', (SELECT count(*) FROM side_ids),
        'categories', (SELECT coalesce(json_agg(json_build_array(feature, v, n)), '[]') FROM (
                        SELECT feature, v, count(*) AS n FROM cats GROUP BY 1, 2) c),
        'labels', (SELECT coalesce(json_agg(json_build_array(label, n)), '[]') FROM (
                        SELECT label, count(*) AS n FROM picked GROUP BY 1) l),
        'tokens', ${
          input.text && input.vocabulary
            ? `(SELECT json_build_object('tokens', coalesce(sum(n), 0), 'oov', coalesce(sum(oov), 0)) FROM per_text)`
            : 'NULL'
        })
      ON CONFLICT DO NOTHING RETURNING model_version_id)
    INSERT INTO drift_reference_values (model_version_id, sample_cap, feature, missing, sorted, edges, bins)
    SELECT :versionId, :cap, e.feature, e.missing, e.sorted, e.edges,
           CASE WHEN e.edges IS NOT NULL THEN ARRAY(
             SELECT coalesce(c.n, 0) FROM generate_series(0, cardinality(e.edges)) AS g
               LEFT JOIN (SELECT width_bucket(x, e.edges) AS b, count(*) AS n FROM unnest(e.sorted) AS x GROUP BY 1) c ON c.b = g
              ORDER BY g) END
      FROM edged e WHERE EXISTS (SELECT FROM profile)`;
}

/**
 * The live side against the stored reference. KS without sorting the two sides together: the largest
 * |F_ref − F_live| is reached at one of the values of either side, and at a value z each side's
 * F(z) (the share of its values ≤ z) is a binary search in its sorted array (`width_bucket`), the same
 * counts the window over both sides gave, so the same statistic as scipy's `ks_2samp`.
 */
function liveStatement(input: StatisticsInput): string {
  return `
    WITH ${sideParts(input, 'live')},
    -- The stored arrays are TOASTed (compressed): rebuilt once here, else every binary search below
    -- would decompress its 10,000 values again (minutes at a million records).
    refv AS MATERIALIZED (
      SELECT feature, missing, ARRAY(SELECT z FROM unnest(sorted) WITH ORDINALITY AS u(z, i) ORDER BY i) AS sorted,
             edges, bins, cardinality(sorted) AS nr FROM drift_reference_values
       WHERE model_version_id = :versionId AND sample_cap = :cap),
    live_values AS MATERIALIZED (
      SELECT feature, count(x) AS nl, count(*) FILTER (WHERE x IS NULL) AS ml,
             coalesce(array_agg(x ORDER BY x) FILTER (WHERE x IS NOT NULL), '{}') AS xs
        FROM nums GROUP BY feature),
    -- Per feature, over its own two arrays (a join of every value with its feature's arrays would
    -- carry the arrays along each row: at a million records that spilled tens of GB to disk).
    per_feature AS MATERIALIZED (
      SELECT l.feature, l.nl, l.ml, rv.sorted, l.xs,
             CASE WHEN rv.edges IS NOT NULL THEN (
               SELECT coalesce(json_agg(json_build_array(b, cl)), '[]') FROM (
                 SELECT width_bucket(x, rv.edges) AS b, count(*) AS cl FROM unnest(l.xs) AS x GROUP BY 1) c)
             ELSE '[]' END AS bins,
             CASE WHEN rv.nr > 0 AND l.nl > 0 THEN (
               SELECT max(ARRAY[abs(width_bucket(z, rv.sorted) / rv.nr::float8 - width_bucket(z, l.xs) / l.nl::float8), -z,
                                CASE WHEN width_bucket(z, rv.sorted) / rv.nr::float8 > width_bucket(z, l.xs) / l.nl::float8 THEN 1 ELSE 0 END])
                 FROM (SELECT unnest(rv.sorted) AS z UNION ALL SELECT unnest(l.xs)) p) END AS best
        FROM live_values l LEFT JOIN refv rv USING (feature)),
    labels AS (
      SELECT predicted_label AS v FROM picked UNION ALL SELECT predicted_label FROM samples)
    SELECT json_build_object(
      'records', (SELECT count(*) FROM live_all),
      'predictSamples', (SELECT count(*) FROM predict_samples WHERE model_version_id = :versionId),
      'usedRecords', (SELECT count(*) FROM side_ids),
      'usedSamples', (SELECT count(*) FROM samples),
      'reference', (SELECT coalesce(json_agg(json_build_object('feature', feature, 'nr', nr, 'mr', missing, 'edges', edges, 'bins', bins)), '[]') FROM refv),
      'numeric', (SELECT coalesce(json_agg(json_build_object('feature', f.feature, 'nl', f.nl, 'ml', f.ml,
                    'ks', f.best[1], 'liveAbove', f.best[3] = 1,
                    -- The first value of either side above the KS point (null: it is the largest).
                    'ksNext', least(f.sorted[width_bucket(-f.best[2], f.sorted) + 1], f.xs[width_bucket(-f.best[2], f.xs) + 1]),
                    'bins', f.bins)), '[]')
                  FROM per_feature f),
      'categories', (SELECT coalesce(json_agg(json_build_array(feature, v, n)), '[]') FROM (
                  SELECT feature, v, count(*) AS n FROM cats GROUP BY 1, 2) c),
      'labels', (SELECT coalesce(json_agg(json_build_array(v, n)), '[]') FROM (SELECT v, count(*) AS n FROM labels GROUP BY 1) l),
      'tokens', ${
        input.text && input.vocabulary
          ? `(SELECT json_build_object('tokens', coalesce(sum(n), 0), 'oov', coalesce(sum(oov), 0)) FROM per_text)`
          : 'NULL'
      }) AS result`;
}

function replacementsOf(input: StatisticsInput): Record<string, unknown> {
  const numbers = input.schema.filter((f) => f.type === 'number').map((f) => f.name);
  const categories = input.schema.filter((f) => f.type === 'category').map((f) => f.name);
  return {
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
  };
}

/** A Postgres array literal of strings (bound as one parameter: 20,000 words need no 20,000 placeholders). */
function toArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

interface ReferenceProfile {
  records: number;
  used: number;
  categories: Array<[string, string | null, number]>;
  labels: Array<[string | null, number]>;
  tokens: { tokens: number; oov: number } | null;
}

interface LiveResult {
  records: number;
  predictSamples: number;
  usedRecords: number;
  usedSamples: number;
  reference: Array<{ feature: string; nr: number; mr: number; edges: number[] | null; bins: number[] | null }>;
  numeric: Array<{
    feature: string;
    nl: number;
    ml: number;
    ks: number | null;
    liveAbove: boolean | null;
    ksNext: number | null;
    bins: Array<[number, number]>;
  }>;
  categories: Array<[string, string | null, number]>;
  labels: Array<[string | null, number]>;
  tokens: { tokens: number; oov: number } | null;
}

/** Both sides' counts side by side; a value seen on one side only counts 0 on the other. */
function countsOf(
  reference: ReadonlyArray<readonly [string | null, number]>,
  live: ReadonlyArray<readonly [string | null, number]>,
): CountAggregate[] {
  const out = new Map<string | null, CountAggregate>();
  for (const [value, n] of reference) out.set(value, { value, reference: Number(n), live: 0 });
  for (const [value, n] of live) {
    const row = out.get(value) ?? { value, reference: 0, live: 0 };
    row.live = Number(n);
    out.set(value, row);
  }
  return [...out.values()];
}

function merge(ref: ReferenceProfile, live: LiveResult): DriftAggregates {
  const refByFeature = new Map(live.reference.map((r) => [r.feature, r]));
  const liveByFeature = new Map(live.numeric.map((n) => [n.feature, n]));
  const features = [...new Set([...refByFeature.keys(), ...liveByFeature.keys()])];
  const categoryFeatures = [...new Set([...ref.categories, ...live.categories].map(([f]) => f))];
  const pairs = (rows: Array<[string, string | null, number]>, feature: string) =>
    rows.filter(([f]) => f === feature).map(([, v, n]) => [v, n] as const);
  return {
    totals: {
      reference: Number(ref.records),
      liveRecords: Number(live.records),
      predictSamples: Number(live.predictSamples),
    },
    used: {
      reference: Number(ref.used),
      liveRecords: Number(live.usedRecords),
      predictSamples: Number(live.usedSamples),
    },
    numeric: features.map((feature) => {
      const r = refByFeature.get(feature);
      const l = liveByFeature.get(feature);
      // No reference value: no deciles, so no bins (one empty bin on each side), and no KS.
      const edges = (r?.edges ?? []).map(Number);
      const referenceBins = r?.bins ? r.bins.map(Number) : [0];
      const liveBins = new Array<number>(referenceBins.length).fill(0);
      if (r?.bins) for (const [b, cl] of l?.bins ?? []) liveBins[b] = Number(cl);
      return {
        feature,
        reference: { values: Number(r?.nr ?? 0), missing: Number(r?.mr ?? 0) },
        live: { values: Number(l?.nl ?? 0), missing: Number(l?.ml ?? 0) },
        edges,
        referenceBins,
        liveBins,
        ks: l?.ks === null || l?.ks === undefined ? null : Number(l.ks),
        ksSplit:
          l?.ksNext === null || l?.ksNext === undefined || l.liveAbove === null
            ? null
            : { at: Number(l.ksNext), liveAbove: l.liveAbove },
      };
    }),
    categories: categoryFeatures.map((feature) => ({
      feature,
      counts: countsOf(pairs(ref.categories, feature), pairs(live.categories, feature)),
    })),
    labels: countsOf(ref.labels, live.labels),
    tokens:
      ref.tokens && live.tokens
        ? {
            reference: { tokens: Number(ref.tokens.tokens), oov: Number(ref.tokens.oov) },
            live: { tokens: Number(live.tokens.tokens), oov: Number(live.tokens.oov) },
          }
        : null,
  };
}
