import type { WhereOptions } from 'sequelize';
import { ZodError } from 'zod';
import { InvalidInput } from '../../src/errors/domain-error.js';
import type { IdWalk } from '../../src/records/prediction-where.js';

/** What a list filter sends: a text, or (for dates and numbers shown as ranges) a from/to pair. */
export type FilterValue = string | { from?: string; to?: string };

/**
 * A filter the console offers beyond a plain column comparison, e.g. "record id is one of the event's
 * ids"; `walk` says which way the list goes through ids, for filters that bound the walk.
 */
export type CustomFilter = (value: FilterValue, walk: IdWalk) => WhereOptions;

/** A resource's custom filters, keyed by the filter's name in the URL (`filters.NAME`). */
export type CustomFilters = Readonly<Record<string, CustomFilter>>;

/** A custom filter's own parsing (zod, domain rules) failing is the filter's value at fault: a 400 naming it. */
export function runCustomFilter(path: string, filter: CustomFilter, value: FilterValue, walk: IdWalk): WhereOptions {
  try {
    return filter(value, walk);
  } catch (error) {
    if (error instanceof ZodError) {
      throw new InvalidInput(
        'list.filter',
        `The filter "${path.slice(0, 60)}" is not valid: ${error.issues.map((i) => i.message).join('; ')}.`,
        { [`filters.${path.slice(0, 60)}`]: error.issues[0]?.message ?? 'not valid' },
      );
    }
    throw error;
  }
}
