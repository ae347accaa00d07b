import type { Model } from 'sequelize';
import { MlModel } from '../../models/index.js';
import type { JoinedFields } from '../../admin/adapter/joined-fields.js';

/** A version's model name (param `modelName`), joined on the models key, so a version reads "spam-filter v3". */
export const joinModelName: JoinedFields = {
  include: [{ model: MlModel, as: 'model', attributes: ['name'] }],
  params: (row: Model) => ({ modelName: (row.get('model') as MlModel | null | undefined)?.name ?? null }),
};
