import type { Includeable, Model, Order } from 'sequelize';
import type { FilterValue } from './custom-filters.js';

/**
 * A list sorted by a joined value (e.g. a record's prediction margin): the joined rows as that list
 * reads them (required, narrowed by the list's filters so an index can walk them in order) and the
 * ORDER BY. `filters` are the list's filter values by name; a sort that needs one (e.g. a model
 * version: margins of two models do not compare) throws InvalidInput naming it.
 */
export type JoinedSort = (
  direction: 'asc' | 'desc',
  filters: Readonly<Record<string, FilterValue>>,
) => {
  include: Includeable[];
  order: Order;
  /**
   * A narrower join to read the page from first (e.g. down a partial index), used when `complete`
   * proves its rows are the page the full join would give; otherwise the full join runs.
   */
  first?: { include: Includeable[]; complete(rows: Model[], limit: number): boolean };
};

/** Values of a record that live in another table, shown as if they were its own (e.g. a record's prediction). */
export interface JoinedFields {
  include: Includeable[];
  /** The joined values as the record's flat params, e.g. { predictedLabel: 'spam' }. */
  params(row: Model): Record<string, unknown>;
  /** Joined values the list may be sorted by, keyed by the property (the `sortBy` in the URL). */
  sorts?: Readonly<Record<string, JoinedSort>>;
}

/** A row as the console's flat params: its columns, with the joined rows replaced by the values they stand for. */
export function rowParams(row: Model, joined: JoinedFields | undefined): Record<string, unknown> {
  const params = row.toJSON<Record<string, unknown>>();
  if (!joined) return params;
  for (const include of joined.include) delete params[(include as { as?: string }).as ?? ''];
  return Object.assign(params, joined.params(row));
}
