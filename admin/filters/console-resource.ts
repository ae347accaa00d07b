import { Resource } from '@adminjs/sequelize';
import { BaseRecord, type BaseProperty, type Filter } from 'adminjs';
import { Op, literal, type Model, type ModelStatic, type WhereOptions } from 'sequelize';

/** A filter the console offers beyond a plain column comparison, e.g. "record id is one of the event's ids". */
export type CustomFilter = (value: string) => WhereOptions;

const customFilters = new Map<ModelStatic<Model>, Record<string, CustomFilter>>();

/** Gives a model's console list extra filters, keyed by the filter's name in the URL (`filters.NAME`). */
export function addCustomFilters(model: ModelStatic<Model>, filters: Record<string, CustomFilter>): void {
  customFilters.set(model, { ...customFilters.get(model), ...filters });
}

/** `%value%` for ILIKE, with the pattern characters of `value` taken literally. */
export const containing = (value: string) => ({ [Op.iLike]: `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });

interface FilterElement {
  path: string;
  property: BaseProperty | null;
  value: unknown;
}

/**
 * The Sequelize adapter with the console's own filter rules: text matches case-insensitively (the
 * stock adapter uses LIKE, which misses "Spam" for "spam" and cannot use the trigram indexes),
 * enum-like and reference values exactly, date ranges, plus each model's custom filters. A filter on
 * something that is neither a column nor a custom filter is ignored instead of failing the page.
 */
export class ConsoleResource extends Resource {
  private readonly model: ModelStatic<Model>;

  constructor(model: ModelStatic<Model>) {
    super(model as never);
    this.model = model;
  }

  override async count(filter: Filter): Promise<number> {
    return this.model.count({ where: this.where(filter) });
  }

  override async find(filter: Filter, { limit = 20, offset = 0, sort = {} }: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } }) {
    const order = sort.sortBy ? [[sort.sortBy, (sort.direction ?? 'asc').toUpperCase()] as [string, string]] : [];
    const rows = await this.model.findAll({ where: this.where(filter), limit, offset, order });
    return rows.map((row) => new BaseRecord(row.toJSON(), this));
  }

  private where(filter: Filter): WhereOptions {
    const custom = customFilters.get(this.model) ?? {};
    const clauses: WhereOptions[] = [];
    for (const element of Object.values(filter.filters) as FilterElement[]) {
      const { path, property, value } = element;
      if (value === undefined || value === null || value === '') continue;
      const handler = custom[path];
      if (handler) clauses.push(handler(String(value)));
      else if (property) clauses.push(columnClause(property, value));
    }
    return clauses.length === 0 ? {} : { [Op.and]: clauses };
  }
}

function columnClause(property: BaseProperty, value: unknown): WhereOptions {
  const column = property.name();
  switch (property.type()) {
    case 'string': {
      const enumerated = (property as unknown as { sequelizePath?: { values?: unknown[] } }).sequelizePath?.values;
      return { [column]: enumerated ? String(value) : containing(String(value)) };
    }
    case 'number':
    case 'float':
      return Number.isFinite(Number(value)) ? { [column]: Number(value) } : { [Op.and]: [literal('FALSE')] }; // not a number: nothing matches
    case 'boolean':
      return value === 'true' || value === 'false' ? { [column]: value === 'true' } : {};
    case 'date':
    case 'datetime': {
      const range = value as { from?: string; to?: string };
      return { [column]: { ...(range.from ? { [Op.gte]: range.from } : {}), ...(range.to ? { [Op.lte]: range.to } : {}) } };
    }
    default:
      return { [column]: value as string };
  }
}
