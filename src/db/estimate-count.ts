import { QueryTypes, type Sequelize } from 'sequelize';

/** Above this many rows an exact COUNT(*) costs tens of milliseconds: use the planner's estimate. */
export const EXACT_COUNT_LIMIT = 100_000;

export interface RowCount {
  count: number;
  approximate: boolean;
}

/** Row count of a whole table: exact when small, `pg_class.reltuples` (kept fresh by autovacuum) when large. */
export async function countRows(
  sequelize: Sequelize,
  table: string,
  options: { softDeleted?: boolean } = {},
): Promise<RowCount> {
  const [estimate] = await sequelize.query<{ estimate: number }>(
    `SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = to_regclass(:table)`,
    { replacements: { table }, type: QueryTypes.SELECT },
  );
  if (estimate && estimate.estimate > EXACT_COUNT_LIMIT) return { count: Number(estimate.estimate), approximate: true };
  const quoted = sequelize.getQueryInterface().quoteIdentifier(table);
  const [row] = await sequelize.query<{ count: number }>(
    `SELECT count(*)::bigint AS count FROM ${quoted}${options.softDeleted ? ' WHERE deleted_at IS NULL' : ''}`,
    { type: QueryTypes.SELECT },
  );
  return { count: Number(row?.count ?? 0), approximate: false };
}
