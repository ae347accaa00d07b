import { Op } from 'sequelize';
import { ModelAlias } from '../../models/index.js';

/** The aliases pointing at each of `versionIds` (sorted names), in one query on model_aliases. */
export async function aliasesOfVersions(versionIds: readonly number[]): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>();
  if (versionIds.length === 0) return result;
  const aliases = await ModelAlias.findAll({
    where: { versionId: { [Op.in]: [...versionIds] } },
    attributes: ['versionId', 'alias'],
    order: [['alias', 'ASC']],
  });
  for (const a of aliases) result.set(a.versionId, [...(result.get(a.versionId) ?? []), a.alias]);
  return result;
}
