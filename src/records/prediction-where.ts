import { Op, literal, type WhereOptions } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';

/** Conditions on a record's latest prediction (table record_predictions), as the list and selections filter them. */
export interface PredictionCriteria {
  predictedLabel?: string;
  modelVersionId?: number;
  /** true: records that have a prediction; false: records never scored. */
  scored?: boolean;
  scoreFrom?: number;
  scoreTo?: number;
  scoredFrom?: string;
  scoredTo?: string;
  /** Margin (top-1 − top-2 probability) and entropy (nats) ranges, inclusive: how sure the prediction was. */
  marginFrom?: number;
  marginTo?: number;
  entropyFrom?: number;
  entropyTo?: number;
  /** true: the prediction differs from the human label; false: it agrees (records without either never match). */
  misclassified?: boolean;
}

/**
 * Which way a list walks the records' ids: newest first (the console's default sort) or oldest first;
 * `none` when the list is ordered by something else that its own join walks (e.g. the prediction's
 * margin, down an index of one version's predictions), so filters only probe each row and bound nothing.
 */
export type IdWalk = 'down' | 'up' | 'none';

/**
 * The one rule for filtering records by their prediction: `records.id IN (SELECT record_id FROM
 * record_predictions WHERE …)` bounded by the newest such id (walking down) or the oldest (walking
 * up), or NOT EXISTS for "never scored" (the record's alias is Sequelize's "DataRecord", as in every
 * findAll and selectSql of records). Values are escaped by Sequelize. Without a version or a label
 * to descend an index by, a score range or "misclassified" probes each walked record's prediction
 * instead (see probedPredictionWhere).
 */
export function predictionWhere(criteria: PredictionCriteria, walk: IdWalk = 'down'): WhereOptions {
  const { misclassified, ...rest } = criteria;
  if (walk === 'none') return probeOnly(criteria);
  const byIndex = rest.modelVersionId !== undefined || rest.predictedLabel !== undefined;
  const probed = misclassified !== undefined || rangeConditions(criteria).some((c) => !c.startsWith('scored_at'));
  if (probed && !byIndex) return probedPredictionWhere(criteria, walk);
  if (misclassified === undefined) return latestPredictionWhere(rest, walk);
  return {
    [Op.and]: [
      latestPredictionWhere(rest, walk),
      literal(
        `EXISTS (SELECT 1 FROM record_predictions p WHERE p.record_id = "DataRecord"."id" AND ${agreement(misclassified)})`,
      ),
    ],
  };
}

/** The prediction against the record's own label (records with no label match neither way). */
const agreement = (misclassified: boolean) => `p.predicted_label ${misclassified ? '<>' : '='} "DataRecord"."label"`;

/**
 * Score ranges and "misclassified" (which compares two tables) have no index that finds matches in
 * id order: the list walks records by id and probes each one's prediction by its primary key,
 * stopping at the page's end (Postgres merges the two primary keys backwards). With 1 record in 20
 * matching, the IN form hashed every prediction first (430 ms p50 for a score range in the console
 * benchmark at 2M records); probing finds a page of 100 in 1–5 ms (EXPLAIN ANALYZE, 300k records).
 * The walk is bounded by the newest (oldest) matching prediction, so it never crosses records
 * nothing scored.
 */
function probedPredictionWhere(criteria: PredictionCriteria, walk: IdWalk): WhereOptions {
  const conditions = rangeConditions(criteria);
  const probe = [
    'p.record_id = "DataRecord"."id"',
    ...conditions.map((c) => `p.${c}`),
    ...(criteria.misclassified === undefined ? [] : [agreement(criteria.misclassified)]),
  ];
  const bound =
    walk === 'down'
      ? `<= ${firstMatch('max', undefined, undefined, conditions)}`
      : `>= ${firstMatch('min', undefined, undefined, conditions)}`;
  return {
    [Op.and]: [
      literal(`EXISTS (SELECT 1 FROM record_predictions p WHERE ${probe.join(' AND ')})`),
      literal(`"DataRecord"."id" ${bound}`),
    ],
  };
}

/** The ranges on the prediction's own columns (score, margin, entropy, time), as SQL over record_predictions. */
function rangeConditions(criteria: PredictionCriteria): string[] {
  const sequelize = sequelizeOf();
  const number = (column: string, op: '>=' | '<=', value: number | undefined) =>
    value === undefined ? [] : [`${column} ${op} ${sequelize.escape(value)}`];
  const time = (op: '>=' | '<=', value: string | undefined) =>
    value === undefined ? [] : [`scored_at ${op} CAST(${sequelize.escape(value)} AS timestamptz)`];
  return [
    ...number('score', '>=', criteria.scoreFrom),
    ...number('score', '<=', criteria.scoreTo),
    ...number('margin', '>=', criteria.marginFrom),
    ...number('margin', '<=', criteria.marginTo),
    ...number('entropy', '>=', criteria.entropyFrom),
    ...number('entropy', '<=', criteria.entropyTo),
    ...time('>=', criteria.scoredFrom),
    ...time('<=', criteria.scoredTo),
  ];
}

/**
 * For a list ordered by its prediction (walk `none`): every condition as one probe of the record's
 * prediction by primary key, no bound (the ordered join decides which records come first).
 */
function probeOnly(criteria: PredictionCriteria): WhereOptions {
  const sequelize = sequelizeOf();
  if (criteria.scored === false) {
    return {
      [Op.and]: [literal('NOT EXISTS (SELECT 1 FROM record_predictions p WHERE p.record_id = "DataRecord"."id")')],
    };
  }
  const probe = [
    'p.record_id = "DataRecord"."id"',
    ...(criteria.modelVersionId === undefined
      ? []
      : [`p.model_version_id = ${sequelize.escape(Math.trunc(criteria.modelVersionId))}`]),
    ...(criteria.predictedLabel === undefined
      ? []
      : [`p.predicted_label = ${sequelize.escape(criteria.predictedLabel)}`]),
    ...rangeConditions(criteria).map((c) => `p.${c}`),
    ...(criteria.misclassified === undefined ? [] : [agreement(criteria.misclassified)]),
  ];
  return { [Op.and]: [literal(`EXISTS (SELECT 1 FROM record_predictions p WHERE ${probe.join(' AND ')})`)] };
}

/** The index-backed form: by version and/or label, or any prediction, with scores and times as extra conditions. */
function latestPredictionWhere(criteria: Omit<PredictionCriteria, 'misclassified'>, walk: IdWalk): WhereOptions {
  const sequelize = sequelizeOf();
  const version =
    criteria.modelVersionId === undefined ? undefined : String(sequelize.escape(Math.trunc(criteria.modelVersionId)));
  const label = criteria.predictedLabel === undefined ? undefined : String(sequelize.escape(criteria.predictedLabel));
  const others = rangeConditions(criteria);
  // "Never scored" as an anti-join: NOT IN over a million ids would not fit a hash and rescan per row.
  if (criteria.scored === false && version === undefined && label === undefined && others.length === 0) {
    return {
      [Op.and]: [literal('NOT EXISTS (SELECT 1 FROM record_predictions p WHERE p.record_id = "DataRecord"."id")')],
    };
  }
  const conditions = [
    ...(version ? [`model_version_id = ${version}`] : []),
    ...(label ? [`predicted_label = ${label}`] : []),
    ...others,
  ];
  // The first matching record in the walk's direction bounds the records the list walks, on both
  // sides of the join: unbounded, Postgres may walk every record never scored (or every prediction
  // of other versions) before the first that matches. Only one bound: with both, Postgres takes the
  // range for a sliver of the table and hashes all of it.
  const bounded =
    walk === 'down'
      ? `<= ${firstMatch('max', version, label, others)}`
      : `>= ${firstMatch('min', version, label, others)}`;
  return {
    [Op.and]: [
      {
        id: {
          [Op.in]: literal(
            `(SELECT record_id FROM record_predictions WHERE ${[...conditions, `record_id ${bounded}`].join(' AND ')})`,
          ),
        },
      },
      literal(`"DataRecord"."id" ${bounded}`),
    ],
  };
}

/**
 * The newest (max) or oldest (min) record id among matching predictions, as descents of the index
 * (model_version_id, predicted_label, record_id): one for a version and a label; for a version
 * alone, one per label it predicted; for a label alone, one per version. Each list of labels or
 * versions is read from the index itself by skipping from one value to the next (a loose index scan),
 * so none is missed. Without a version or a label: the primary key's end, filtered.
 */
function firstMatch(
  end: 'min' | 'max',
  version: string | undefined,
  label: string | undefined,
  others: string[],
): string {
  const and = (conditions: string[]) => conditions.join(' AND ');
  const descent = (v: string, l: string) =>
    `(SELECT ${end}(record_id) FROM record_predictions WHERE ${and([`model_version_id = ${v}`, `predicted_label = ${l}`, ...others])})`;
  // `inner` for each distinct value of `column` among the predictions meeting `where`, skipping from one value to the next.
  const overEach = (
    column: string,
    where: string[],
    inner: (value: string) => string,
  ) => `(WITH RECURSIVE seen (value) AS (
        SELECT min(${column}) FROM record_predictions${where.length ? ` WHERE ${and(where)}` : ''}
        UNION ALL
        SELECT (SELECT min(${column}) FROM record_predictions WHERE ${and([...where, `${column} > seen.value`])}) FROM seen WHERE seen.value IS NOT NULL)
      SELECT ${end}(${inner('seen.value')}) FROM seen WHERE seen.value IS NOT NULL)`;
  if (version !== undefined && label !== undefined) return descent(version, label);
  if (version !== undefined)
    return overEach('predicted_label', [`model_version_id = ${version}`], (each) => descent(version, each));
  if (label !== undefined) return overEach('model_version_id', [], (each) => descent(each, label));
  return `(SELECT ${end}(record_id) FROM record_predictions${others.length ? ` WHERE ${and(others)}` : ''})`;
}
