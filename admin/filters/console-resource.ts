import { Resource } from '@adminjs/sequelize';
import { BaseRecord, type BaseProperty, type Filter } from 'adminjs';
import { Op, QueryTypes, Sequelize, literal, type Includeable, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { containing } from '../../src/db/containing.js';
import { ZodError } from 'zod';
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
/** Paging limits the console's router and the adapter agree on (AdminJS itself stops at 500 per page). */
export const MAX_PER_PAGE = 500;
export const MAX_PAGE = 1_000_000;
/** A text filter longer than this is no search anyone types. */
const MAX_FILTER_CHARS = 1_000;
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
    super(model);
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
    // The console's router refuses malformed page/perPage (admin/filters/console-query.ts); this is
    // the last line for any other caller: a LIMIT of NaN or an OFFSET of Infinity is a SQL error.
    if (!Number.isSafeInteger(Number(limit)) || Number(limit) < 1) throw new InvalidInput('list.per_page', `perPage must be a whole number from 1 to ${MAX_PER_PAGE}.`, { perPage: 'not a whole number from 1' });
    if (!Number.isSafeInteger(Number(offset)) || Number(offset) < 0) throw new InvalidInput('list.page', `page must be a whole number from 1 to ${MAX_PAGE}.`, { page: 'not a whole number from 1' });
    if (sort.sortBy !== undefined && typeof sort.sortBy !== 'string') throw new InvalidInput('list.sort_by', 'sortBy must be one property name, given once.', { sortBy: 'not one name' });
    const order = sort.sortBy ? [[this.sortableColumn(sort.sortBy), sort.direction === 'asc' ? 'ASC' : 'DESC'] as [string, string]] : [];
    const walk: IdWalk = sort.sortBy === this.primaryKey() && sort.direction === 'asc' ? 'up' : 'down';
    const rows = await this.model.findAll({ where: this.whereFor(filter, walk), limit, offset, order, include: this.joinedIncludes() });
    return rows.map((row) => this.toRecord(row));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    // An id that cannot be a key ("abc", "1e999", 2^31 for an INTEGER key, a reference filter's
    // object) is a row that does not exist: without this check Postgres refuses the cast (a 500).
    if (!this.isWellFormedId(id)) return null;
    const row = await this.model.findByPk(id, { include: this.joinedIncludes() });
    return row ? this.toRecord(row) : null;
  }

  override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
    const wellFormed = ids.filter((id) => this.isWellFormedId(id));
    if (wellFormed.length === 0) return [];
    const rows = await this.model.findAll({ where: { [this.primaryKey()]: { [Op.in]: wellFormed } }, include: this.joinedIncludes() });
    return rows.map((row) => this.toRecord(row));
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
    const params = row.toJSON<Record<string, unknown>>();
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

  /**
   * A filter's value checked against what the property is (the decorated one: a resource may declare
   * a type or a list of values the column does not): a bad value is a 400 naming the filter and
   * what it takes, never a SQL error. Dates come back as ISO text, so Postgres reads what we checked.
   * undefined: an empty range, no condition.
   */
  private checkedFilterValue(path: string, column: BaseProperty | null, value: unknown): FilterValue | undefined {
    const decorated = (this as unknown as { _decorated?: unknown })._decorated ? this.decorate().getPropertyByKey(path) : null;
    const type: string = decorated?.type() ?? column?.type() ?? 'string';
    const columnType = (column as unknown as { sequelizePath?: { type?: unknown } } | null)?.sequelizePath?.type;
    const refuse = (takes: string): never => {
      throw new InvalidInput('list.filter', `The filter "${path.slice(0, 60)}" takes ${takes}; got ${describeValue(value)}.`, { [`filters.${path.slice(0, 60)}`]: takes });
    };
    if (type === 'date' || type === 'datetime') {
      if (typeof value === 'string') refuse('a range: filters.NAME~~from and/or filters.NAME~~to, each a date such as 2026-11-01');
      const range = value as Record<string, unknown>;
      if (Object.keys(range).some((k) => k !== 'from' && k !== 'to')) refuse('a range: filters.NAME~~from and/or filters.NAME~~to, each a date such as 2026-11-01');
      const out: { from?: string; to?: string } = {};
      for (const end of ['from', 'to'] as const) {
        const text = range[end];
        if (text === undefined || text === '') continue;
        const iso = typeof text === 'string' ? isoDate(text) : undefined;
        if (!iso) refuse(`dates such as 2026-11-01 or 2026-11-01T12:00:00Z in ~~from and ~~to (${end} is not one)`);
        out[end] = iso;
      }
      return out.from || out.to ? out : undefined;
    }
    if (typeof value !== 'string') refuse('one value, given once (not a list, an object or a range)');
    const text = value as string;
    if (text.length > MAX_FILTER_CHARS) refuse(`at most ${MAX_FILTER_CHARS} characters`);
    const values = decorated?.availableValues()?.map((v) => String((v as { value?: unknown }).value ?? v)) ?? column?.availableValues()?.map(String) ?? null;
    if (values && !values.includes(text)) refuse(`one of ${values.join(', ')}`);
    switch (type) {
      case 'boolean':
        if (text !== 'true' && text !== 'false') refuse('true or false');
        break;
      case 'reference':
        if (!fitsColumn(columnType ?? INTEGER_KEY, text)) refuse(`an id (${describeColumn(columnType ?? INTEGER_KEY)})`);
        break;
      case 'number':
      case 'float':
      case 'currency':
        if (!fitsColumn(columnType ?? 'FLOAT', text)) refuse(describeColumn(columnType ?? 'FLOAT'));
        break;
      case 'mixed':
      case 'key-value':
      case 'object':
        refuse('nothing: this property cannot be filtered');
        break;
      default:
        if (['JSON', 'JSONB'].includes(typeName(columnType))) refuse('nothing: this property cannot be filtered');
        if (columnType && !isText(columnType) && !fitsColumn(columnType, text)) refuse(describeColumn(columnType));
    }
    return text;
  }

  /** The WHERE clause of a list query: also used by exports of "the current list view". */
  whereFor(filter: Filter, walk: IdWalk = 'down'): WhereOptions {
    const custom = customFilters.get(this.model) ?? {};
    const clauses: WhereOptions[] = [];
    for (const element of Object.values(filter.filters) as FilterElement[]) {
      const { path, property, value: raw } = element;
      if (raw === undefined || raw === null || raw === '') continue;
      const handler = custom[path];
      if (!handler && !property) continue; // neither a column nor a custom filter: ignored
      const value = this.checkedFilterValue(path, property, raw);
      if (value === undefined) continue;
      if (handler) clauses.push(runCustomFilter(path, () => handler(value, walk)));
      else clauses.push(columnClause(property!, value));
    }
    return clauses.length === 0 ? {} : { [Op.and]: clauses };
  }
}

function columnClause(property: BaseProperty, value: unknown): WhereOptions {
  const column = property.name();
  // An array column (tags, labels): the rows whose list holds the value.
  if (property.isArray()) return { [column]: { [Op.contains]: [String(value)] } };
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

/** A custom filter's own parsing (zod, domain rules) failing is the filter's value at fault: a 400 naming it. */
function runCustomFilter(path: string, build: () => WhereOptions): WhereOptions {
  try {
    return build();
  } catch (error) {
    if (error instanceof ZodError) {
      throw new InvalidInput('list.filter', `The filter "${path.slice(0, 60)}" is not valid: ${error.issues.map((i) => i.message).join('; ')}.`, { [`filters.${path.slice(0, 60)}`]: error.issues[0]?.message ?? 'not valid' });
    }
    throw error;
  }
}

const INTEGER_KEY = 'INTEGER';
const INT4 = { min: -2_147_483_648n, max: 2_147_483_647n };
const INT8 = { min: -9_223_372_036_854_775_808n, max: 9_223_372_036_854_775_807n };

/** The Sequelize type's name: INTEGER, BIGINT, DATE, STRING… (an ARRAY's element type). */
function typeName(type: unknown): string {
  if (typeof type === 'string') return type.toUpperCase();
  const named = type as { key?: string; type?: unknown; constructor?: { name?: string } } | null;
  if (named?.key === 'ARRAY' || named?.constructor?.name === 'ARRAY') return typeName(named.type);
  return String(named?.key ?? named?.constructor?.name ?? '').toUpperCase();
}

function isText(type: unknown): boolean {
  return ['STRING', 'TEXT', 'CITEXT', 'CHAR', 'ENUM'].includes(typeName(type));
}

/** Whether a value from a URL can be compared with a column of this type without a cast error. */
function fitsColumn(type: unknown, value: unknown): boolean {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string' || value === '') return false;
  switch (typeName(type)) {
    case 'INTEGER':
    case 'SMALLINT':
    case 'BIGINT': {
      if (!/^-?\d{1,20}$/.test(value)) return false;
      const bounds = typeName(type) === 'BIGINT' ? INT8 : INT4;
      const n = BigInt(value);
      return n >= bounds.min && n <= bounds.max;
    }
    case 'FLOAT':
    case 'REAL':
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'DECIMAL':
      return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) && Number.isFinite(Number(value));
    case 'DATE':
    case 'DATEONLY':
      return isoDate(value) !== undefined;
    case 'UUID':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
    case 'BOOLEAN':
      return value === 'true' || value === 'false';
    default:
      return !value.includes('\u0000');
  }
}

/** What a column of this type takes, in words. */
function describeColumn(type: unknown): string {
  switch (typeName(type)) {
    case 'INTEGER':
    case 'SMALLINT':
      return 'a whole number from -2147483648 to 2147483647';
    case 'BIGINT':
      return 'a whole number (at most 19 digits)';
    case 'FLOAT':
    case 'REAL':
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'DECIMAL':
      return 'a number such as 3.5';
    case 'DATE':
    case 'DATEONLY':
      return 'a date such as 2026-11-01 or 2026-11-01T12:00:00Z';
    case 'UUID':
      return 'a UUID';
    case 'BOOLEAN':
      return 'true or false';
    default:
      return 'text without NUL characters';
  }
}

/** A date typed into a URL as ISO text (years 1 to 9999, which Postgres and JavaScript read alike), else undefined. */
function isoDate(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const time = Date.parse(text.trim().replace(' ', 'T'));
  if (Number.isNaN(time)) return undefined;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999 ? date.toISOString() : undefined;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.slice(0, 40)}${value.length > 40 ? '…' : ''}"`;
  if (Array.isArray(value)) return 'a list';
  return value !== null && typeof value === 'object' ? 'an object' : String(value);
}
