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
}

/**
 * The one rule for filtering records by their prediction: `records.id IN (SELECT record_id FROM
 * record_predictions WHERE …)` up to the newest such id, or NOT EXISTS for "never scored" (the
 * record's alias is Sequelize's "DataRecord", as in every findAll and selectSql of records). Values
 * are escaped by Sequelize.
 */
export function predictionWhere(criteria: PredictionCriteria): WhereOptions {
  const sequelize = sequelizeOf();
  const conditions: string[] = [];
  if (criteria.predictedLabel !== undefined) conditions.push(`predicted_label = ${sequelize.escape(criteria.predictedLabel)}`);
  if (criteria.modelVersionId !== undefined) conditions.push(`model_version_id = ${sequelize.escape(Math.trunc(criteria.modelVersionId))}`);
  if (criteria.scoreFrom !== undefined) conditions.push(`score >= ${sequelize.escape(criteria.scoreFrom)}`);
  if (criteria.scoreTo !== undefined) conditions.push(`score <= ${sequelize.escape(criteria.scoreTo)}`);
  if (criteria.scoredFrom !== undefined) conditions.push(`scored_at >= CAST(${sequelize.escape(criteria.scoredFrom)} AS timestamptz)`);
  if (criteria.scoredTo !== undefined) conditions.push(`scored_at <= CAST(${sequelize.escape(criteria.scoredTo)} AS timestamptz)`);
  // "Never scored" as an anti-join: NOT IN over a million ids would not fit a hash and rescan per row.
  if (criteria.scored === false && conditions.length === 0) {
    return { [Op.and]: [literal('NOT EXISTS (SELECT 1 FROM record_predictions p WHERE p.record_id = "DataRecord"."id")')] };
  }
  const matching = `FROM record_predictions${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
  return {
    [Op.and]: [
      { id: { [Op.in]: literal(`(SELECT record_id ${matching})`) } },
      // The newest matching record bounds the records a list walks down in id order (its default
      // sort): unbounded, Postgres may walk every newer record that was never scored before the first
      // one that was. The index (model_version_id, predicted_label, record_id) finds the bound.
      literal(`"DataRecord"."id" <= (SELECT max(record_id) ${matching})`),
    ],
  };
}
