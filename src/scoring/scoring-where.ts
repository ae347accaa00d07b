import { Op, type WhereOptions } from 'sequelize';
import { selectionWhere } from '../records/record-selection.js';
import type { ScoreJobParams } from './score-input.js';

/** The records a scoring job reads: the selection, within the model's dataset (soft-deleted ones never). */
export function scoringWhere(params: Pick<ScoreJobParams, 'selection' | 'datasetId'>): WhereOptions {
  return { [Op.and]: [selectionWhere(params.selection), { datasetId: params.datasetId }] };
}
