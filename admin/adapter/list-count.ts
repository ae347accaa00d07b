import { QueryTypes, literal, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { countRows } from '../../src/db/estimate-count.js';
import { selectSql } from '../../src/db/select-sql.js';

/** Filtered list totals are counted exactly up to this many matches, estimated above. */
export const FILTERED_COUNT_LIMIT = 10_000;

/**
 * What the list's pagination shows. Unfiltered (no `where` builder): the table's size, from the planner's
 * statistics above EXACT_COUNT_LIMIT rows (COUNT(*) over a million rows costs a full scan per page
 * view). Filtered: the planner's estimate for the filter (EXPLAIN, about a millisecond) when it
 * expects FILTERED_COUNT_LIMIT matches or more, else an exact count (stopping at the limit) — so a
 * broad filter on a big table answers as fast as a narrow one, and its total is approximate only when large.
 */
export async function countListRows(model: ModelStatic<Model>, where: (() => WhereOptions) | null): Promise<number> {
  const sequelize = model.sequelize!;
  if (where === null)
    return (
      await countRows(sequelize, model.getTableName() as string, { softDeleted: Boolean(model.options.paranoid) })
    ).count;
  // A fresh WHERE for each statement: Sequelize's query generator may change the one it is given.
  const select = (limit?: number) => selectSql(model, { attributes: [[literal('1'), 'one']], where: where(), limit });
  // The planner's estimate first: a broad filter is not counted at all (counting 10,000 matches of a
  // text search may make the planner prefer a sequential scan).
  const [plan] = await sequelize.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
    `EXPLAIN (FORMAT JSON) ${select()}`,
    { type: QueryTypes.SELECT },
  );
  const estimate = Math.round(plan?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
  if (estimate >= FILTERED_COUNT_LIMIT) return estimate;
  const [row] = await sequelize.query<{ count: number }>(
    `SELECT count(*)::bigint AS count FROM (${select(FILTERED_COUNT_LIMIT)}) AS capped`,
    { type: QueryTypes.SELECT },
  );
  return Number(row?.count ?? 0);
}
