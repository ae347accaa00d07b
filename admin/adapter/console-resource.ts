import { Resource } from '@adminjs/sequelize';
import { BaseRecord, type Filter, type ResourceDecorator } from 'adminjs';
import { Op, type Includeable, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import type { IdWalk } from '../../src/records/prediction-where.js';
import { describeColumn, fitsColumn } from './column-types.js';
import type { CustomFilters, FilterValue } from './custom-filters.js';
import { filterWhere } from './filter-where.js';
import { rowParams, type JoinedFields } from './joined-fields.js';
import { countListRows } from './list-count.js';
import { listPage, type FindOptions } from './list-page.js';
import { deleteInTransactionOrder } from './serial-deletes.js';
import { sortableColumn } from './sortable-column.js';

/** What a resource definition gives its adapter beyond the model. */
export interface ConsoleResourceOptions {
  /** Filters beyond a plain column comparison, keyed by the filter's name in the URL (`filters.NAME`). */
  customFilters?: CustomFilters;
  /** Values from another table shown on the list and show pages (read-only: they are not columns). */
  joinedFields?: JoinedFields;
}

/**
 * The Sequelize adapter as the console needs it: its own filter rules (filter-where.ts), totals that
 * stay fast at a million rows (list-count.ts), sorting only by offered columns, ids checked against
 * the key's type, and deletes of one transaction run in order. A resource definition creates it with
 * its options (`resource: new ConsoleResource(Model, { customFilters })`); AdminJS uses an instance
 * it is given as is.
 */
export class ConsoleResource extends Resource {
  private readonly model: ModelStatic<Model>;
  private readonly customFilters: CustomFilters;
  private readonly joinedFields: JoinedFields | undefined;

  constructor(model: ModelStatic<Model>, options: ConsoleResourceOptions = {}) {
    super(model);
    this.model = model;
    this.customFilters = options.customFilters ?? {};
    this.joinedFields = options.joinedFields;
  }

  override async count(filter: Filter): Promise<number> {
    return countListRows(this.model, Object.keys(filter.filters).length === 0 ? null : () => this.whereFor(filter));
  }

  override async find(filter: Filter, options: FindOptions): Promise<BaseRecord[]> {
    const decorated = this.decoratedOrNull();
    const sortBy = options.sort?.sortBy;
    const joinedSort =
      typeof sortBy === 'string' && this.joinedFields?.sorts && Object.hasOwn(this.joinedFields.sorts, sortBy)
        ? this.joinedFields.sorts[sortBy]
        : undefined;
    const { limit, offset, order, walk } = listPage(
      joinedSort ? { ...options, sort: {} } : options,
      this.primaryKey(),
      (column) => sortableColumn(this.model, decorated, column),
    );
    // Sorted by a joined value: the join walks its own index in order, the filters only probe each row.
    const joined = joinedSort?.(options.sort?.direction === 'asc' ? 'asc' : 'desc', filterValues(filter));
    const read = (include: Includeable[]) =>
      this.model.findAll({
        where: this.whereFor(filter, joined ? 'none' : walk),
        limit,
        offset,
        order: joined?.order ?? order,
        include,
      });
    if (joined?.first) {
      const rows = await read(joined.first.include);
      if (joined.first.complete(rows, limit)) return rows.map((row) => this.toRecord(row));
    }
    const rows = await read(joined?.include ?? this.joinedFields?.include ?? []);
    return rows.map((row) => this.toRecord(row));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    // An id that cannot be a key ("abc", "1e999", 2^31 for an INTEGER key, a reference filter's
    // object) is a row that does not exist: without this check Postgres refuses the cast (a 500).
    if (!this.isWellFormedId(id)) return null;
    const row = await this.model.findByPk(id, { include: this.joinedFields?.include ?? [] });
    return row ? this.toRecord(row) : null;
  }

  override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
    const wellFormed = ids.filter((id) => this.isWellFormedId(id));
    if (wellFormed.length === 0) return [];
    const rows = await this.model.findAll({
      where: { [this.primaryKey()]: { [Op.in]: wellFormed } },
      include: this.joinedFields?.include ?? [],
    });
    return rows.map((row) => this.toRecord(row));
  }

  override async delete(id: string): Promise<void> {
    return deleteInTransactionOrder(() => super.delete(id));
  }

  /** Whether `id` can be a value of this table's primary key (its column type decides), as the URL carries it. */
  isWellFormedId(id: unknown): boolean {
    const attribute = this.model.getAttributes()[this.primaryKey()];
    return attribute ? fitsColumn(attribute.type, id) : typeof id === 'string' || typeof id === 'number';
  }

  /** A console id that cannot be a key of this table: what the person sent and what an id looks like here. */
  malformedIdMessage(id: string): string {
    const attribute = this.model.getAttributes()[this.primaryKey()];
    return `"${id.slice(0, 60)}" is not a ${this.model.name} id: ${attribute ? describeColumn(attribute.type) : 'an id'} is expected.`;
  }

  /** The WHERE clause of a list query: also used by exports of "the current list view". */
  whereFor(filter: Filter, walk: IdWalk = 'down'): WhereOptions {
    const decorated = this.decoratedOrNull();
    return filterWhere(
      filter,
      {
        model: this.model,
        customFilters: this.customFilters,
        declared: (path) => decorated?.getPropertyByKey(path) ?? null,
      },
      walk,
    );
  }

  private toRecord(row: Model): BaseRecord {
    return new BaseRecord(rowParams(row, this.joinedFields), this);
  }

  /**
   * The resource as AdminJS decorated it with the definition's options, or null when no AdminJS
   * instance did (a benchmark, a script): the public decorate() throws then.
   */
  private decoratedOrNull(): ResourceDecorator | null {
    try {
      return this.decorate();
    } catch {
      return null;
    }
  }
}

/** A list's filter values by name, as custom filters receive them (`{ from, to }` for ranges). */
function filterValues(filter: Filter): Record<string, FilterValue> {
  const values: Record<string, FilterValue> = {};
  for (const [path, element] of Object.entries(filter.filters)) {
    const value: unknown = (element as { value?: unknown }).value;
    if (typeof value === 'string' || (typeof value === 'object' && value !== null)) {
      values[path] = value;
    }
  }
  return values;
}
