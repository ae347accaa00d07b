import { InvalidInput } from '../../src/errors/domain-error.js';
import type { IdWalk } from '../../src/records/prediction-where.js';

/** Paging limits the console's router and the adapter agree on (AdminJS itself stops at 500 per page). */
export const MAX_PER_PAGE = 500;
export const MAX_PAGE = 1_000_000;

/** What AdminJS's list asks the adapter for (`BaseResource.find`'s options). */
export interface FindOptions {
  limit?: number;
  offset?: number;
  sort?: { sortBy?: string; direction?: 'asc' | 'desc' };
}

/** One page of a list as the query runs it. */
export interface ListPage {
  limit: number;
  offset: number;
  order: Array<[string, 'ASC' | 'DESC']>;
  /** Which way the list walks the ids: custom filters bound their subqueries on that side (src/records/prediction-where.ts). */
  walk: IdWalk;
}

/**
 * The page AdminJS asks for, checked. The console's router refuses malformed page/perPage first
 * (admin/console-query.ts); this is the last line for any other caller: a LIMIT of NaN or an OFFSET
 * of Infinity is a SQL error. `sortable` maps the requested sort to an allowed column or refuses it.
 */
export function listPage(
  { limit = 20, offset = 0, sort = {} }: FindOptions,
  primaryKey: string,
  sortable: (sortBy: string) => string,
): ListPage {
  if (!Number.isSafeInteger(Number(limit)) || Number(limit) < 1)
    throw new InvalidInput('list.per_page', `perPage must be a whole number from 1 to ${MAX_PER_PAGE}.`, {
      perPage: 'not a whole number from 1',
    });
  if (!Number.isSafeInteger(Number(offset)) || Number(offset) < 0)
    throw new InvalidInput('list.page', `page must be a whole number from 1 to ${MAX_PAGE}.`, {
      page: 'not a whole number from 1',
    });
  if (sort.sortBy !== undefined && typeof sort.sortBy !== 'string')
    throw new InvalidInput('list.sort_by', 'sortBy must be one property name, given once.', { sortBy: 'not one name' });
  const order: ListPage['order'] = sort.sortBy
    ? [[sortable(sort.sortBy), sort.direction === 'asc' ? 'ASC' : 'DESC']]
    : [];
  const walk: IdWalk = sort.sortBy === primaryKey && sort.direction === 'asc' ? 'up' : 'down';
  return { limit, offset, order, walk };
}
