import * as z from 'zod';
import type { Dataset } from '../../../models/dataset.js';
import { InvalidInput } from '../../errors/domain-error.js';
import { IMPORT_FIELDS, type ImportField } from './import-fields.js';

/** What one CSV column becomes: a record field, a feature of the dataset (`feature:<name>`), the id of a record to update, or nothing. */
export const ColumnTarget = z.union([
  z.enum([...IMPORT_FIELDS, 'ignore']),
  z.string().regex(/^feature:[a-z][a-z0-9_]{0,62}$/, 'a feature target is feature:<name>'),
]);
export type ColumnTarget = z.infer<typeof ColumnTarget>;

/** Column name → target; columns left out are ignored. Tags cells are split on `tagSeparator`. */
export const ImportMapping = z.object({
  columns: z.record(z.string(), ColumnTarget),
  tagSeparator: z.enum([';', '|']).default(';'),
});
export type ImportMapping = z.infer<typeof ImportMapping>;

/** One mapped column: where it is in each row and what it fills. */
export interface MappedColumn {
  index: number;
  column: string;
  target: Exclude<ColumnTarget, 'ignore'>;
}

/** A record field an import writes: `id` only finds the record, and mapped features are merged into `features`. */
export type WrittenField = Exclude<ImportField, 'id'>;

export interface ImportPlan {
  columns: MappedColumn[];
  /** How many columns the header names: a row with more cells was split by an unquoted comma. */
  headerColumns: number;
  tagSeparator: ';' | '|';
  /** Record fields the import writes (features: only the mapped ones are merged into an updated record's features). */
  fields: ReadonlySet<WrittenField>;
  hasId: boolean;
}

/** The mapping the form starts with: a column named like a field or a feature maps to it; others are ignored. */
export function defaultMapping(
  header: readonly string[],
  dataset: Pick<Dataset, 'featureSchema'>,
): Record<string, ColumnTarget> {
  const features = new Set(dataset.featureSchema.map((f) => f.name));
  const used = new Set<string>();
  return Object.fromEntries(
    header.map((column) => {
      const name = column.trim().toLowerCase();
      let target: ColumnTarget = 'ignore';
      if ((IMPORT_FIELDS as readonly string[]).includes(name)) target = name;
      else if (features.has(name)) target = `feature:${name}`;
      if (target !== 'ignore' && used.has(target)) target = 'ignore';
      used.add(target);
      return [column, target];
    }),
  );
}

/** Checks a mapping against the file's columns and the dataset's features; says what to fix. */
export function planImport(
  header: readonly string[],
  dataset: Pick<Dataset, 'featureSchema' | 'name'>,
  mapping: ImportMapping,
): ImportPlan {
  const features = new Set(dataset.featureSchema.map((f) => f.name));
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const columns: MappedColumn[] = [];
  for (const [column, target] of Object.entries(mapping.columns)) {
    if (target === 'ignore') continue;
    const index = header.indexOf(column);
    if (index < 0) {
      problems.push(`the file has no column "${column}" (its columns: ${header.join(', ')})`);
      continue;
    }
    if (target.startsWith('feature:') && !features.has(target.slice('feature:'.length))) {
      problems.push(
        `"${target.slice('feature:'.length)}" is not a feature of dataset ${dataset.name}${features.size ? ` (${[...features].join(', ')})` : ' (it has none)'}`,
      );
      continue;
    }
    const earlier = seen.get(target);
    if (earlier !== undefined)
      problems.push(`columns "${earlier}" and "${column}" both map to ${target}: map one of them to "ignore"`);
    seen.set(target, column);
    columns.push({ index, column, target });
  }
  const single = columns.find((c) => c.target.startsWith('feature:'));
  const whole = columns.find((c) => c.target === 'features');
  if (single && whole)
    problems.push(
      `"${whole.column}" holds all features and "${single.column}" one of them: map one of them to "ignore"`,
    );
  if (columns.filter((c) => c.target !== 'id').length === 0)
    problems.push('map at least one column to a record field or feature');
  if (problems.length > 0)
    throw new InvalidInput('import.mapping', `Check the column mapping: ${problems.join('; ')}.`, {
      mapping: problems.join('; '),
    });
  const fields = new Set(
    columns.flatMap((c) =>
      c.target === 'id' ? [] : [c.target.startsWith('feature:') ? 'features' : c.target],
    ) as WrittenField[],
  );
  return {
    columns,
    headerColumns: header.length,
    tagSeparator: mapping.tagSeparator,
    fields,
    hasId: columns.some((c) => c.target === 'id'),
  };
}
