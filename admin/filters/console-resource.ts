import { Resource } from '@adminjs/sequelize';
import { BaseRecord, type BaseProperty, type Filter } from 'adminjs';
import { Op, QueryTypes, Sequelize, literal, type Includeable, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { containing } from '../../src/db/containing.js';
import { InvalidInput } from '../../src/errors/domain-error.js';
import { countRows } from '../../src/db/estimate-count.js';
import { selectSql } from '../../src/db/select-sql.js';
import type { IdWalk } from '../../src/records/prediction-where.js';

/** What a list filter sends: a text, or (for dates and numbers shown as ranges) a from/to pair. */
export type FilterValue = string | { from?: string; to?: string };
/**
 * A filter the console offers beyond a plain column comparison, e.g. "record id is one of the event's
 * ids"; `walk` says which way the list goes through ids, for filters that bound the walk.
 */
export type CustomFilter = (value: FilterValue, walk: IdWalk) => WhereOptions;

/** Values of a record that live in another table, shown as if they were its own (e.g. a record's prediction). */
export interface JoinedFields {
  include: Includeable[];
  /** The joined values as the record's flat params, e.g. { predictedLabel: 'spam' }. */
  params(row: Model): Record<string, unknown>;
}

const customFilters = new Map<ModelStatic<Model>, Record<string, CustomFilter>>();
const joinedFields = new Map<ModelStatic<Model>, JoinedFields>();
const deletesInFlight = new WeakMap<object, Promise<unknown>>();
/** Filtered list totals are counted exactly up to this many matches, estimated above. */
export const FILTERED_COUNT_LIMIT = 10_000;

/** Gives a model's console list extra filters, keyed by the filter's name in the URL (`filters.NAME`). */
export function addCustomFilters(model: ModelStatic<Model>, filters: Record<string, CustomFilter>): void {
  customFilters.set(model, { ...customFilters.get(model), ...filters });
}

/** Shows values from another table on a model's list and show pages (read-only: they are not columns). */
export function addJoinedFields(model: ModelStatic<Model>, fields: JoinedFields): void {
  joinedFields.set(model, fields);
}

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

  /**
   * What the list's pagination shows. Unfiltered: the table's size, from the planner's statistics
   * above EXACT_COUNT_LIMIT rows (COUNT(*) over a million rows costs a full scan per page view).
   * Filtered: the planner's estimate for the filter (EXPLAIN, about a millisecond) when it expects
   * FILTERED_COUNT_LIMIT matches or more, else an exact count (stopping at the limit) — so a broad
   * filter on a big table answers as fast as a narrow one, and its total is approximate only when large.
   */
  override async count(filter: Filter): Promise<number> {
    const sequelize = this.model.sequelize!;
    const table = this.model.getTableName() as string;
    const paranoid = Boolean(this.model.options.paranoid);
    if (Object.keys(filter.filters).length === 0) return (await countRows(sequelize, table, { softDeleted: paranoid })).count;
    const select = (limit?: number) => selectSql(this.model, { attributes: [[literal('1'), 'one']], where: this.whereFor(filter), limit });
    // The planner's estimate first: a broad filter is not counted at all (counting 10,000 matches of a
    // text search may make the planner prefer a sequential scan).
    const [plan] = await sequelize.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(`EXPLAIN (FORMAT JSON) ${select()}`, { type: QueryTypes.SELECT });
    const estimate = Math.round(plan?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
    if (estimate >= FILTERED_COUNT_LIMIT) return estimate;
    const [row] = await sequelize.query<{ count: number }>(`SELECT count(*)::bigint AS count FROM (${select(FILTERED_COUNT_LIMIT)}) AS capped`, { type: QueryTypes.SELECT });
    return Number(row?.count ?? 0);
  }

  override async find(filter: Filter, { limit = 20, offset = 0, sort = {} }: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } }) {
    const order = sort.sortBy ? [[this.sortableColumn(sort.sortBy), sort.direction === 'asc' ? 'ASC' : 'DESC'] as [string, string]] : [];
    const walk: IdWalk = sort.sortBy === this.primaryKey() && sort.direction === 'asc' ? 'up' : 'down';
    const rows = await this.model.findAll({ where: this.whereFor(filter, walk), limit, offset, order, include: this.joinedIncludes() });
    return rows.map((row) => this.toRecord(row));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const row = await this.model.findByPk(id, { include: this.joinedIncludes() });
    return row ? this.toRecord(row) : null;
  }

  override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
    const rows = await this.model.findAll({ where: { [this.primaryKey()]: { [Op.in]: ids } }, include: this.joinedIncludes() });
    return rows.map((row) => this.toRecord(row));
  }

  /**
   * `sortBy` arrives from the URL: only a column the list offers to sort by is accepted (never a
   * hidden one such as a password hash, never an expression), so the ORDER BY is one of a known set.
   */
  private sortableColumn(sortBy: string): string {
    const attributes = this.model.getAttributes();
    // Outside AdminJS (no decorator: a benchmark, a script) the allow-list is the model's columns.
    if (!(this as unknown as { _decorated?: unknown })._decorated) {
      if (Object.hasOwn(attributes, sortBy)) return sortBy;
      throw new InvalidInput('list.sort_by', `Cannot sort ${this.model.name} records by "${sortBy.slice(0, 60)}": sort by one of its columns.`, { sortBy: 'not a column' });
    }
    const decorated = this.decorate();
    if (sortBy === decorated.options.sort?.sortBy) return sortBy;
    const property = Object.hasOwn(attributes, sortBy) ? decorated.getPropertyByKey(sortBy) : null;
    if (property && property.isSortable() && (property.isVisible('list') || property.isVisible('show'))) return sortBy;
    const offered = decorated
      .getListProperties()
      .filter((p) => p.isSortable() && Object.hasOwn(attributes, p.propertyPath))
      .map((p) => p.propertyPath);
    throw new InvalidInput('list.sort_by', `Cannot sort ${this.model.name} records by "${sortBy.slice(0, 60)}": sort by one of ${offered.join(', ')}.`, { sortBy: 'not a sortable column' });
  }

  private joinedIncludes(): Includeable[] {
    return joinedFields.get(this.model)?.include ?? [];
  }

  private toRecord(row: Model): BaseRecord {
    const joined = joinedFields.get(this.model);
    const params = row.toJSON() as Record<string, unknown>;
    if (joined) {
      for (const include of joined.include) delete params[(include as { as?: string }).as ?? ''];
      Object.assign(params, joined.params(row));
    }
    return new BaseRecord(params, this);
  }

  /**
   * AdminJS's bulk delete deletes every record at once (Promise.all). Inside the audited write's
   * transaction they would share one connection concurrently (pg queues them, deprecated for pg 9):
   * deletes of one transaction run one after the other instead.
   */
  override async delete(id: string): Promise<void> {
    const transaction = (Sequelize as unknown as { _cls?: { get(key: string): object | undefined } })._cls?.get('transaction');
    if (!transaction) return super.delete(id);
    const run = (deletesInFlight.get(transaction) ?? Promise.resolve()).then(() => super.delete(id));
    deletesInFlight.set(transaction, run.catch(() => undefined));
    return run;
  }

  /** The WHERE clause of a list query: also used by exports of "the current list view". */
  whereFor(filter: Filter, walk: IdWalk = 'down'): WhereOptions {
    const custom = customFilters.get(this.model) ?? {};
    const clauses: WhereOptions[] = [];
    for (const element of Object.values(filter.filters) as FilterElement[]) {
      const { path, property, value } = element;
      if (value === undefined || value === null || value === '') continue;
      const handler = custom[path];
      if (handler) clauses.push(handler(typeof value === 'object' ? (value as { from?: string; to?: string }) : String(value), walk));
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
