import type { BaseProperty, Filter, PropertyDecorator } from 'adminjs';
import { Op, literal, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { containing } from '../../src/db/containing.js';
import type { IdWalk } from '../../src/records/prediction-where.js';
import { columnOf } from './column-types.js';
import { runCustomFilter, type CustomFilters } from './custom-filters.js';
import { checkFilterValue } from './filter-value.js';

/** What turns a list's filters into a WHERE: the model, the resource's custom filters and declared properties. */
export interface FilterContext {
  model: ModelStatic<Model>;
  customFilters: CustomFilters;
  /** The property as the resource declares it; null outside AdminJS (a benchmark, a script). */
  declared(path: string): PropertyDecorator | null;
}

interface FilterElement {
  path: string;
  property: BaseProperty | null;
  value: unknown;
}

/**
 * The console's own filter rules: text matches case-insensitively (the stock adapter uses LIKE, which
 * misses "Spam" for "spam" and cannot use the trigram indexes), enum-like and reference values
 * exactly, date ranges, plus the resource's custom filters. A filter on something that is neither a
 * column nor a custom filter is ignored instead of failing the page.
 */
export function filterWhere(filter: Filter, context: FilterContext, walk: IdWalk): WhereOptions {
  const clauses: WhereOptions[] = [];
  for (const element of Object.values(filter.filters) as FilterElement[]) {
    const { path, property, value: raw } = element;
    if (raw === undefined || raw === null || raw === '') continue;
    const custom = Object.hasOwn(context.customFilters, path) ? context.customFilters[path] : undefined;
    if (!custom && !property) continue; // neither a column nor a custom filter: ignored
    const column = columnOf(context.model, property);
    const value = checkFilterValue(
      { path, declared: context.declared(path), column: property, columnType: column?.type },
      raw,
    );
    if (value === undefined) continue;
    if (custom) clauses.push(runCustomFilter(path, custom, value, walk));
    else clauses.push(columnClause(property!, column?.values, value));
  }
  return clauses.length === 0 ? {} : { [Op.and]: clauses };
}

/** One column compared with a checked value; `enumerated`: the column's ENUM values, if it has them. */
function columnClause(property: BaseProperty, enumerated: readonly string[] | undefined, value: unknown): WhereOptions {
  const column = property.name();
  // An array column (tags, labels): the rows whose list holds the value.
  if (property.isArray()) return { [column]: { [Op.contains]: [String(value)] } };
  switch (property.type()) {
    case 'string':
      return { [column]: enumerated ? String(value) : containing(String(value)) };
    case 'number':
    case 'float':
      return Number.isFinite(Number(value)) ? { [column]: Number(value) } : { [Op.and]: [literal('FALSE')] }; // not a number: nothing matches
    case 'boolean':
      return value === 'true' || value === 'false' ? { [column]: value === 'true' } : {};
    case 'date':
    case 'datetime': {
      const range = value as { from?: string; to?: string };
      return {
        [column]: { ...(range.from ? { [Op.gte]: range.from } : {}), ...(range.to ? { [Op.lte]: range.to } : {}) },
      };
    }
    default:
      return { [column]: value as string };
  }
}
