import type { BaseProperty } from 'adminjs';
import type { Model, ModelAttributeColumnOptions, ModelStatic } from 'sequelize';

const INT4 = { min: -2_147_483_648n, max: 2_147_483_647n };
const INT8 = { min: -9_223_372_036_854_775_808n, max: 9_223_372_036_854_775_807n };

/** What a key column is taken to be when the model does not say (a reference to another table's id). */
export const INTEGER_KEY = 'INTEGER';

/**
 * The model's definition of the column an adapter property stands for (its Sequelize type, its ENUM
 * values), read through Sequelize's public getAttributes(): @adminjs/sequelize keeps the same object
 * on each property, but privately (`sequelizePath`). A nested path's property is its top column.
 */
export function columnOf(
  model: ModelStatic<Model>,
  property: BaseProperty | null,
): ModelAttributeColumnOptions | undefined {
  if (!property) return undefined;
  const attributes = model.getAttributes() as Record<string, ModelAttributeColumnOptions>;
  return Object.hasOwn(attributes, property.name()) ? attributes[property.name()] : undefined;
}

/** The Sequelize type's name: INTEGER, BIGINT, DATE, STRING… (an ARRAY's element type). */
export function typeName(type: unknown): string {
  if (typeof type === 'string') return type.toUpperCase();
  const named = type as { key?: string; type?: unknown; constructor?: { name?: string } } | null;
  if (named?.key === 'ARRAY' || named?.constructor?.name === 'ARRAY') return typeName(named.type);
  return String(named?.key ?? named?.constructor?.name ?? '').toUpperCase();
}

export function isText(type: unknown): boolean {
  return ['STRING', 'TEXT', 'CITEXT', 'CHAR', 'ENUM'].includes(typeName(type));
}

/** Whether a value from a URL can be compared with a column of this type without a cast error. */
export function fitsColumn(type: unknown, value: unknown): boolean {
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
export function describeColumn(type: unknown): string {
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
export function isoDate(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()))
    return undefined;
  const time = Date.parse(text.trim().replace(' ', 'T'));
  if (Number.isNaN(time)) return undefined;
  const date = new Date(time);
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999 ? date.toISOString() : undefined;
}
