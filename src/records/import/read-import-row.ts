import type { Dataset } from '../../../models/dataset.js';
import type { RecordSplit } from '../../../models/enums.js';
import { numberOf } from '../../ml/tabular/tabular-encoder.js';
import { featureProblems, inputProblems, labelProblem, RecordFields } from '../save-record.js';
import { readFeaturesCell, readRecordCell, readTagsCell } from '../record-csv-cells.js';
import type { ImportPlan } from './import-mapping.js';

/** A CSV row as a record to insert (id null) or to update (only the mapped fields change). */
export interface ImportRow {
  id: number | null;
  text: string | null;
  features: Record<string, number | string | null> | null;
  label: string | null;
  split: RecordSplit | null;
  tags: string[] | null;
  source: string | null;
}

/** A problem with one cell (or with the row as a whole: column is the field it lacks). */
export interface RowError {
  /** The CSV record's number, the header being row 1 (a spreadsheet's row number unless a cell spans lines). */
  row: number;
  column: string;
  reason: string;
}

/**
 * Turns one CSV row into a record, checked by the console's own rules: the field shapes of
 * RecordFields, the dataset's label set (labelProblem), its feature schema (featureProblems) and
 * the text/features a new record needs (inputProblems); a row with more cells than the header has
 * columns is refused whole. An empty cell means "no value": null on a new record, unchanged on an
 * updated one (features are merged into the record's). Cells are read as the export writes them
 * (record-csv-cells.ts): features as one JSON object, tags as a JSON list or separated.
 */
export function readImportRow(
  cells: readonly string[],
  rowNumber: number,
  plan: ImportPlan,
  dataset: Dataset,
): { row: ImportRow | null; errors: RowError[] } {
  if (cells.length > plan.headerColumns) {
    return {
      row: null,
      errors: [
        {
          row: rowNumber,
          column: '(row)',
          reason: `it has ${cells.length} cells but the header names ${plan.headerColumns} columns: quote cells that contain commas`,
        },
      ],
    };
  }
  const errors: RowError[] = [];
  const fail = (column: string, reason: string) => errors.push({ row: rowNumber, column, reason });
  const row: ImportRow = { id: null, text: null, features: null, label: null, split: null, tags: null, source: null };
  const columnOf = new Map<string, string>();
  const specs = new Map(dataset.featureSchema.map((f) => [f.name, f]));
  for (const { index, column, target } of plan.columns) {
    const raw = readRecordCell(cells[index] ?? '');
    const value = raw.trim();
    columnOf.set(target.startsWith('feature:') ? `features.${target.slice(8)}` : target, column);
    if (target === 'id') {
      if (value === '') continue;
      if (!/^[1-9][0-9]{0,17}$/.test(value))
        fail(
          column,
          `"${value}" is not a record id: leave it empty to add a new record, or give the id of one of this dataset's records`,
        );
      else row.id = Number(value);
    } else if (target === 'features') {
      if (value === '') continue;
      const features = readFeaturesCell(value);
      if (!features) fail(column, 'is not a JSON object of features, e.g. {"island": "Dream", "body_mass_g": 3750}');
      else
        row.features = Object.fromEntries(
          Object.entries(features).map(([name, v]) => [
            name,
            specs.get(name)?.type === 'number' && typeof v === 'string' ? (numberOf(v) ?? v) : v,
          ]),
        );
    } else if (target.startsWith('feature:')) {
      const name = target.slice(8);
      row.features ??= {};
      if (value === '') row.features[name] = null;
      else row.features[name] = specs.get(name)?.type === 'number' ? (numberOf(value) ?? value) : value;
    } else if (value === '') {
      continue;
    } else if (target === 'tags') {
      const tags = readTagsCell(value, plan.tagSeparator);
      if (tags) row.tags = tags;
      else fail(column, `is not a JSON list of tags (["a", "b"]) nor tags separated by "${plan.tagSeparator}"`);
    } else if (target === 'split') {
      row.split = value as RecordSplit;
    } else {
      row[target as 'text' | 'label' | 'source'] = target === 'text' ? raw : value;
    }
  }
  // Field shapes (lengths, split values, tag rules): the schema the API and the console use.
  const shaped = RecordFields.safeParse(
    Object.fromEntries(
      Object.entries({
        text: row.text,
        label: row.label,
        split: row.split ?? undefined,
        tags: row.tags ?? undefined,
        source: row.source,
      }).filter(([, v]) => v !== null && v !== undefined),
    ),
  );
  if (!shaped.success) {
    for (const issue of shaped.error.issues) {
      const field = String(issue.path[0] ?? '');
      fail(
        columnOf.get(field) ?? field,
        field === 'split' ? `"${row.split}" is not a split: use train, test or holdout` : issue.message,
      );
    }
  } else if (shaped.data.tags) row.tags = shaped.data.tags;
  const label = labelProblem(dataset, row.label);
  if (label) fail(columnOf.get('label') ?? 'label', `${label}: correct the cell or add the label to the dataset first`);
  const problems =
    row.id === null
      ? inputProblems(dataset, row)
      : row.features
        ? featureProblems(row.features, dataset.featureSchema)
        : {};
  for (const [field, reason] of Object.entries(problems)) {
    // A feature read from the one JSON features column is named in the reason, the column being that one.
    const inJson = !columnOf.has(field) && field.startsWith('features.') && columnOf.has('features');
    fail(
      inJson ? columnOf.get('features')! : (columnOf.get(field) ?? field),
      field === 'text' || field === 'features'
        ? `a new record needs it (${reason}): map a column to it, or give an id to update an existing record`
        : inJson
          ? `${field.slice('features.'.length)} ${reason}`
          : reason,
    );
  }
  return { row: errors.length === 0 ? row : null, errors };
}
