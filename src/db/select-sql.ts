import { Op, Utils, type Model, type ModelStatic, type WhereOptions } from 'sequelize';

export interface SelectSqlOptions {
  attributes: unknown[];
  where: WhereOptions;
  order?: Array<[string, 'ASC' | 'DESC']>;
  limit?: number;
}

/**
 * The SELECT that findAll would run (attribute names mapped to columns, soft-deleted rows of a
 * paranoid model left out), as SQL text without its semicolon: for a subquery, an EXPLAIN or a
 * server-side cursor. The where is mapped anew on each call (Sequelize's generator changes it).
 */
export function selectSql(model: ModelStatic<Model>, options: SelectSqlOptions): string {
  const paranoid = Boolean(model.options.paranoid);
  const where = (
    Utils as unknown as { mapWhereFieldNames(where: WhereOptions, model: ModelStatic<Model>): WhereOptions }
  ).mapWhereFieldNames(paranoid ? { [Op.and]: [options.where, { deletedAt: null }] } : options.where, model);
  const generator = model.sequelize!.getQueryInterface().queryGenerator as {
    selectQuery(table: string, options: Record<string, unknown>, model: ModelStatic<Model>): string;
  };
  return generator
    .selectQuery(
      model.getTableName() as string,
      {
        attributes: options.attributes,
        where,
        ...(options.order ? { order: options.order } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
      },
      model,
    )
    .replace(/;\s*$/, '');
}
