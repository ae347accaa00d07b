import type { BaseProperty, PropertyDecorator } from 'adminjs';
import { InvalidInput } from '../../src/errors/domain-error.js';
import type { FilterValue } from './custom-filters.js';
import { INTEGER_KEY, describeColumn, fitsColumn, isText, isoDate, typeName } from './column-types.js';

/** A text filter longer than this is no search anyone types. */
const MAX_FILTER_CHARS = 1_000;
const NUMBER_RANGE = 'a range: filters.NAME~~from and/or filters.NAME~~to, each a number such as 0.5';
const DATE_RANGE = 'a range: filters.NAME~~from and/or filters.NAME~~to, each a date such as 2026-11-01';

/** What a list filter is checked against. */
export interface FilterTarget {
  /** The filter's name in the URL (`filters.NAME`). */
  path: string;
  /**
   * The property as the resource declares it (null outside AdminJS): a resource may declare a type
   * or a list of values the column does not have.
   */
  declared: PropertyDecorator | null;
  /** The column's own AdminJS type and values, from the adapter (null for a custom filter that is no column). */
  column: BaseProperty | null;
  /** The column's Sequelize type (undefined for a custom filter that is no column). */
  columnType: unknown;
}

/**
 * A filter's value checked against what the property is: a bad value is a 400 naming the filter and
 * what it takes, never a SQL error. Dates come back as ISO text, so Postgres reads what we checked.
 * undefined: an empty range, no condition.
 */
export function checkFilterValue(
  { path, declared, column, columnType }: FilterTarget,
  value: unknown,
): FilterValue | undefined {
  const type: string = declared?.type() ?? column?.type() ?? 'string';
  const refuse = (takes: string): never => {
    throw new InvalidInput(
      'list.filter',
      `The filter "${path.slice(0, 60)}" takes ${takes}; got ${describeValue(value)}.`,
      { [`filters.${path.slice(0, 60)}`]: takes },
    );
  };
  if (type === 'date' || type === 'datetime') {
    if (typeof value === 'string') refuse(DATE_RANGE);
    const range = value as Record<string, unknown>;
    if (Object.keys(range).some((k) => k !== 'from' && k !== 'to')) refuse(DATE_RANGE);
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
  if ((type === 'number' || type === 'float') && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // A number shown as a range (a score from 0.4 to 0.6): both ends numbers, either may be left out.
    const range = value as Record<string, unknown>;
    if (Object.keys(range).some((k) => k !== 'from' && k !== 'to')) refuse(NUMBER_RANGE);
    const out: { from?: string; to?: string } = {};
    for (const end of ['from', 'to'] as const) {
      const text = range[end];
      if (text === undefined || text === '') continue;
      if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(Number(text))) refuse(NUMBER_RANGE);
      out[end] = String(Number(text));
    }
    return out.from || out.to ? out : undefined;
  }
  if (typeof value !== 'string') refuse('one value, given once (not a list, an object or a range)');
  const text = value as string;
  if (text.length > MAX_FILTER_CHARS) refuse(`at most ${MAX_FILTER_CHARS} characters`);
  const values =
    declared?.availableValues()?.map((v) => String((v as { value?: unknown }).value ?? v)) ??
    column?.availableValues()?.map(String) ??
    null;
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

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.slice(0, 40)}${value.length > 40 ? '…' : ''}"`;
  if (Array.isArray(value)) return 'a list';
  return value !== null && typeof value === 'object' ? 'an object' : String(value);
}
