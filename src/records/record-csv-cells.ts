// The one cell format of records in CSV: the export writes it (export-records.ts) and the importer
// reads it (import/read-import-row.ts), so an exported file imports back unchanged.

/**
 * A leading character that makes a spreadsheet run the cell as a formula, or the apostrophe that
 * marks such a cell as escaped: a cell starting with one is written with an apostrophe in front.
 */
const ESCAPED_START = /^[=+\-@\t\r']/;

/** A value as one CSV cell: nothing for null, ISO 8601 for dates, JSON for features, tags and probabilities. */
export function writeRecordCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  // Numbers are never formulas (and a negative one must stay a number).
  return typeof value === 'string' && ESCAPED_START.test(text) ? `'${text}` : text;
}

/** A cell as written by writeRecordCell: the apostrophe it put before a formula-like start is taken off. */
export function readRecordCell(cell: string): string {
  return cell.startsWith("'") && ESCAPED_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/**
 * A tags cell: a JSON array of strings (as exported: tags may contain either separator) or tags
 * separated by `separator` (as typed in a spreadsheet). Undefined when it is neither.
 */
export function readTagsCell(cell: string, separator: ';' | '|'): string[] | undefined {
  if (cell.startsWith('[')) {
    const parsed = parseJson(cell);
    return Array.isArray(parsed) && parsed.every((t) => typeof t === 'string') ? parsed : undefined;
  }
  return cell
    .split(separator)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** A features cell: a JSON object of feature name → number, string or null (as exported). Undefined when it is not one. */
export function readFeaturesCell(cell: string): Record<string, number | string | null> | undefined {
  const parsed = parseJson(cell);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  return entries.every(([, v]) => v === null || typeof v === 'number' || typeof v === 'string')
    ? (Object.fromEntries(entries) as Record<string, number | string | null>)
    : undefined;
}

function parseJson(cell: string): unknown {
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return undefined;
  }
}
