import { TRACKED_FIELDS } from './history-page.js';

export { TRACKED_FIELDS };

/**
 * A field a change-set records (its jsonb key, camelCase as in the model). For each: its column and
 * how a value stored in a change-set's jsonb becomes that column's type again. Revert and restore
 * write records from `before` values through these, and compare a record with a change's `after` the
 * same way, so a value means the same thing on both sides.
 */
export type TrackedField = (typeof TRACKED_FIELDS)[number];

const COLUMNS: Record<TrackedField, string> = {
  datasetId: 'dataset_id',
  text: 'text',
  features: 'features',
  label: 'label',
  split: 'split',
  tags: 'tags',
  source: 'source',
  deletedAt: 'deleted_at',
};

/** `json` is an SQL expression of type jsonb; the answer is the field's value in its column type. */
const FROM_JSON: Record<TrackedField, (json: string) => string> = {
  datasetId: (json) => `(${json} ->> 'datasetId')::integer`,
  text: (json) => `(${json} ->> 'text')`,
  // A JSON null is SQL NULL here (the column holds no JSON null).
  features: (json) => `nullif(${json} -> 'features', 'null'::jsonb)`,
  label: (json) => `(${json} ->> 'label')`,
  split: (json) => `(${json} ->> 'split')::record_split`,
  tags: (json) => `ARRAY(SELECT jsonb_array_elements_text(${json} -> 'tags'))`,
  source: (json) => `(${json} ->> 'source')`,
  deletedAt: (json) => `(${json} ->> 'deletedAt')::timestamptz`,
};

/** The record's column as a change-set stores it (the capture trigger's encoding: deletedAt as UTC ISO text with a Z). */
const TO_JSON: Record<TrackedField, (column: string) => string> = {
  datasetId: (c) => `to_jsonb(${c})`,
  text: (c) => `to_jsonb(${c})`,
  features: (c) => `coalesce(${c}, 'null'::jsonb)`,
  label: (c) => `to_jsonb(${c})`,
  split: (c) => `to_jsonb(${c}::text)`,
  tags: (c) => `to_jsonb(${c})`,
  source: (c) => `to_jsonb(${c})`,
  deletedAt: (c) => `to_jsonb(to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))`,
};

export function isTrackedField(field: string): field is TrackedField {
  return (TRACKED_FIELDS as readonly string[]).includes(field);
}

/** Column of `field` on the records alias `record`. */
export function columnOf(record: string, field: TrackedField): string {
  return `${record}.${COLUMNS[field]}`;
}

/** SQL: the value of `field` held in the jsonb `json`, typed as its column. */
export function valueFromJson(json: string, field: TrackedField): string {
  return FROM_JSON[field](json);
}

/** SQL jsonb: the record's value of `field` as a change-set stores it. */
function storedForm(record: string, field: TrackedField): string {
  return `coalesce(${TO_JSON[field](columnOf(record, field))}, 'null'::jsonb)`;
}

/**
 * SQL true when `json` names `field` and the record's value differs from it. Compared in the stored
 * form (jsonb equality: numbers by value, text exactly), so no value is converted back for it.
 */
export function differsFrom(record: string, json: string, field: TrackedField): string {
  return `(${json} ? '${field}' AND ${storedForm(record, field)} IS DISTINCT FROM ${json} -> '${field}')`;
}

/** SQL: `column = value from json` where `json` names the field, else the column unchanged. */
export function assignFromJson(record: string, json: string, field: TrackedField): string {
  return `${COLUMNS[field]} = CASE WHEN ${json} ? '${field}' THEN ${valueFromJson(json, field)} ELSE ${columnOf(record, field)} END`;
}

/** SQL text[]: the fields of `fields` in which the record differs from `json`. */
export function differingFields(record: string, json: string, fields: readonly TrackedField[]): string {
  if (fields.length === 0) return `'{}'::text[]`;
  return `array_remove(ARRAY[${fields.map((f) => `CASE WHEN ${differsFrom(record, json, f)} THEN '${f}' END`).join(', ')}]::text[], NULL)`;
}

/** SQL jsonb: the record's tracked values, keyed and written as a change-set writes them. */
export function trackedValuesJson(record: string): string {
  return `jsonb_build_object(${TRACKED_FIELDS.map((f) => `'${f}', ${storedForm(record, f)}`).join(', ')})`;
}
