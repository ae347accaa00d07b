import * as z from 'zod';
import type { Transaction } from 'sequelize';
import { DataRecord, Dataset } from '../../models/index.js';
import { recordAuditedFields } from '../../models/data-record.js';
import { RecordSplit, type FeatureSpec } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { withAudit, type AuditNote } from '../audit/with-audit.js';
import { constraintMessage } from '../db/constraint-messages.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import { FEATURE_RULES, isFiniteFloat32, numberOf } from '../ml/model-inputs.js';
import { editableRecordFields } from './editable-record-fields.js';

const Tag = z.string().trim().min(1, 'tags are not empty').max(64, 'tags are at most 64 characters');
/** An empty text field means "no value" (a console form cannot send null for a cleared field). */
const blankIsNull = (value: unknown) => (value === '' ? null : value);
/** A dataset id as JSON gives it (12) or a form field does ("12"). */
const DatasetId = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,15}$/.test(v.trim()) ? Number(v) : v),
  z.number({ error: 'a dataset id' }).int().positive(),
);

/**
 * The fields a record is written with, for the API, the console and the services alike; datasetId
 * only when creating. Feature values are checked against the dataset's schema by the service
 * (`normaliseFeatures`, `featureProblems`): a number feature takes a number or a string holding one.
 */
export const RecordFields = z
  .object({
    text: z.preprocess(blankIsNull, z.string().max(1_000_000, 'at most 1,000,000 characters').nullable()),
    features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullable(),
    label: z.preprocess(blankIsNull, z.string().trim().min(1).max(200).nullable()),
    split: RecordSplit,
    tags: z
      .array(Tag)
      .max(50, 'at most 50 tags')
      .transform((tags) => [...new Set(tags)]),
    source: z.preprocess(blankIsNull, z.string().max(500).nullable()),
  })
  .partial()
  .strict();
export type RecordFields = z.infer<typeof RecordFields>;

export const NewRecord = RecordFields.extend({ datasetId: DatasetId }).strict();
export type NewRecord = z.infer<typeof NewRecord>;

/** What an edit may name: the record's fields, and its dataset only as it is (a record never moves). */
const RecordChanges = RecordFields.extend({ datasetId: DatasetId.optional() }).strict();

/** The field names an edit may carry, in form order. */
export const RECORD_FIELDS = ['datasetId', 'text', 'features', 'label', 'split', 'tags', 'source'] as const;

/**
 * Creates a record in a dataset, audited as `records.create`. `input` is checked here (NewRecord, the
 * dataset's feature schema and label set), whoever calls: the API, the console, the CLI.
 */
export async function createRecord(actor: Actor, input: unknown): Promise<DataRecord> {
  return write(actor, 'records.create', async (transaction, note) => {
    if (decide(actor, 'records', 'new') !== true)
      throw new Forbidden('records.create_forbidden', refusalMessage(actor, 'records', 'new'));
    const parsed = parseFields(NewRecord, input);
    const dataset = await Dataset.findByPk(parsed.datasetId, { transaction });
    if (!dataset)
      throw new InvalidInput(
        'record.dataset_not_found',
        `There is no dataset ${parsed.datasetId}: pick one of the datasets (GET /api/v1/datasets lists them).`,
        { datasetId: 'no such dataset' },
      );
    const fields = {
      ...parsed,
      ...(parsed.features ? { features: normaliseFeatures(parsed.features, dataset.featureSchema) } : {}),
    };
    checkInput(dataset, fields);
    const record = await DataRecord.create(
      {
        ...fields,
        text: fields.text ?? null,
        features: fields.features ?? null,
        label: fields.label ?? null,
        source: fields.source ?? null,
      },
      { transaction },
    );
    note({ recordIds: [record.id], after: pick(record) });
    return record;
  });
}

/**
 * Changes the given fields, audited as `records.update` with the diff. A field given with the value
 * it already has is no change (a console form sends every field back); a field that would change must
 * be one the actor's role may change (editableRecordFields), else the edit is refused (`denied`).
 */
export async function updateRecord(actor: Actor, id: number, input: unknown): Promise<DataRecord> {
  return write(actor, 'records.update', (transaction, note) => editRecord(actor, id, input, transaction, note));
}

/**
 * updateRecord's work inside an audited write that is already open (its change-set tracked): for a
 * service whose own rows must commit with the edit and its event, e.g. a review queue's label
 * (src/review/label-item.ts). The caller runs it through withAudit as `records.update`.
 */
export async function editRecord(
  actor: Actor,
  id: number,
  input: unknown,
  transaction: Transaction,
  note: (note: AuditNote) => void,
): Promise<DataRecord> {
  note({ recordIds: [id] });
  const record = await DataRecord.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!record) throw new NotFound('record.not_found', `There is no record ${id} (or it was deleted).`);
  if (decide(actor, 'records', 'edit', record.get()) === false)
    throw new Forbidden('records.edit_forbidden', refusalMessage(actor, 'records', 'edit'));
  const allowed = editableRecordFields(actor);
  const mayChange = (field: string) => allowed === 'all' || allowed.includes(field);
  const parsed = RecordChanges.safeParse(input);
  if (!parsed.success) {
    // A field the role may not change is refused as such, whatever its value.
    refuseFields(
      allowed,
      issueFields(parsed.error, input).filter((field) => !mayChange(field)),
    );
    throw invalid(parsed.error);
  }
  const dataset = (await Dataset.findByPk(record.datasetId, { transaction }))!;
  const given: Record<string, unknown> = { ...parsed.data };
  if (parsed.data.features) given.features = normaliseFeatures(parsed.data.features, dataset.featureSchema);
  const changes = Object.fromEntries(
    Object.entries(given).filter(([field, value]) => !sameValue(value, record.get(field as keyof DataRecord))),
  );
  refuseFields(
    allowed,
    Object.keys(changes).filter((field) => !mayChange(field)),
  );
  if ('datasetId' in changes) {
    throw new InvalidInput(
      'record.dataset_fixed',
      `A record stays in its dataset (${dataset.name}): create a new record in the other dataset instead.`,
      { datasetId: 'cannot be changed' },
    );
  }
  checkInput(dataset, { ...record.get(), ...changes });
  const before = pick(record);
  await record.update(changes, { transaction });
  const after = pick(record);
  const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  note({
    before: Object.fromEntries(changed.map((k) => [k, before[k]])),
    after: Object.fromEntries(changed.map((k) => [k, after[k]])),
  });
  return record;
}

function refuseFields(allowed: 'all' | readonly string[], refused: readonly string[]): void {
  if (allowed === 'all' || refused.length === 0) return;
  const fields = [...new Set(refused)];
  throw new Forbidden(
    'records.field_forbidden',
    `Your role may change only: ${allowed.join(', ') || 'no field'} of a record (not ${fields.join(', ')}).`,
    Object.fromEntries(fields.map((f) => [f, `your role may change only: ${allowed.join(', ') || 'no field'}`])),
  );
}

/** The top-level fields a failed parse names (unknown keys included). */
function issueFields(error: z.ZodError, input: unknown): string[] {
  const fields = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys : issue.path.length > 0 ? [String(issue.path[0])] : [],
  );
  // Not an object at all: nothing names a field; the shape error says what to send.
  return input !== null && typeof input === 'object' && !Array.isArray(input) ? fields : [];
}

function parseFields<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

/** A zod failure as the domain's error: one message, and each failing field path (`features.body_mass_g`, `tags.2`) with why. */
function invalid(error: z.ZodError): InvalidInput {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys) fields[[...issue.path, key].join('.')] = 'is not a field of a record';
    else fields[issue.path.join('.') || 'input'] ??= issue.message;
  }
  const list = Object.entries(fields).map(([f, m]) => `${f}: ${m}`);
  return new InvalidInput(
    'record.invalid',
    `Check the record: ${list.slice(0, 5).join('; ')}${list.length > 5 ? ` (and ${list.length - 5} more)` : ''}.`,
    fields,
  );
}

/**
 * One coercion rule per feature type, the same for the API, the console and CSV imports: an empty
 * string is no value (null); a number feature given a string holding a finite number ("3750", as a
 * form sends it) stores that number; a category is stored as text. Anything else is left as it is
 * for featureProblems to refuse with its path.
 */
export function normaliseFeatures(
  features: Readonly<Record<string, number | string | null>>,
  schema: readonly FeatureSpec[],
): Record<string, number | string | null> {
  const specs = new Map(schema.map((spec) => [spec.name, spec]));
  return Object.fromEntries(
    Object.entries(features).map(([name, value]) => {
      if (value === '' || value === null) return [name, null];
      const spec = specs.get(name);
      if (spec?.type === 'number' && typeof value === 'string') return [name, numberOf(value) ?? value];
      if (spec?.type === 'category' && typeof value === 'number') return [name, String(value)];
      return [name, value];
    }),
  );
}

/** Equal as stored: a field given with the value it has is no change (ids compare as text: Postgres bigints arrive as strings). */
function sameValue(given: unknown, current: unknown): boolean {
  const canonical = (value: unknown): string => {
    if (value === undefined || value === null) return 'null';
    if (Array.isArray(value)) return JSON.stringify(value);
    if (typeof value === 'object')
      return JSON.stringify(
        Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
      );
    return `=${String(value)}`;
  };
  return canonical(given) === canonical(current);
}

/** Soft-deletes a record (admins can restore it); audited as `records.delete`. */
export async function deleteRecord(actor: Actor, id: number): Promise<void> {
  await write(actor, 'records.delete', async (transaction, note) => {
    note({ recordIds: [id] });
    const record = await DataRecord.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!record) throw new NotFound('record.not_found', `There is no record ${id} (or it was already deleted).`);
    if (decide(actor, 'records', 'delete', record.get()) === false)
      throw new Forbidden('records.delete_forbidden', refusalMessage(actor, 'records', 'delete'));
    note({ before: pick(record) });
    await record.destroy({ transaction });
  });
}

async function write<T>(
  actor: Actor,
  action: string,
  work: (transaction: Transaction, note: (note: AuditNote) => void) => Promise<T>,
): Promise<T> {
  try {
    return await withAudit(actor, { action, resource: 'records' }, async (transaction, audit) => {
      await audit.trackRecordChanges();
      return work(transaction, (n) => audit.note(n));
    });
  } catch (error) {
    const message = constraintMessage(error);
    if (message) throw new InvalidInput('record.constraint', message, undefined, { cause: error });
    throw error;
  }
}

/** A label from the dataset's label set; text for text datasets, features that fit the schema for tabular ones. */
function checkInput(
  dataset: Dataset,
  record: { text?: string | null; features?: Record<string, unknown> | null; label?: string | null },
): void {
  const label = labelProblem(dataset, record.label);
  if (label)
    throw new InvalidInput(
      'record.label_not_in_dataset',
      `${label}: pick one of them, or add the label to the dataset first.`,
      { label },
    );
  const problems = inputProblems(dataset, record);
  if (problems.text)
    throw new InvalidInput(
      'record.text_required',
      `Dataset "${dataset.name}" classifies text: give the record's text.`,
      problems,
    );
  if (problems.features)
    throw new InvalidInput(
      'record.features_required',
      `Dataset "${dataset.name}" is tabular: give the record's features (${dataset.featureSchema.map((f) => f.name).join(', ')}).`,
      problems,
    );
  if (Object.keys(problems).length > 0) {
    throw new InvalidInput(
      'record.features_invalid',
      `The features do not fit dataset "${dataset.name}": ${Object.entries(problems)
        .map(([f, m]) => `${f} ${m}`)
        .join('; ')}.`,
      problems,
    );
  }
}

/**
 * What keeps a record's input from fitting its dataset, by field (`text`, `features`, `features.<name>`):
 * the one statement of the rule, shared by saving a record and importing a CSV.
 */
export function inputProblems(
  dataset: Dataset,
  record: { text?: string | null; features?: Record<string, unknown> | null },
): Record<string, string> {
  if (dataset.task === 'text-classification') return record.text ? {} : { text: 'required for a text dataset' };
  if (!record.features) return { features: 'required for a tabular dataset' };
  return featureProblems(record.features, dataset.featureSchema);
}

/** A human label outside the dataset's label set (when it declares one): the database trigger `records_label_in_dataset` says the same. */
export function labelProblem(dataset: Pick<Dataset, 'labels'>, label: string | null | undefined): string | undefined {
  if (label === null || label === undefined || dataset.labels.length === 0 || dataset.labels.includes(label))
    return undefined;
  return `"${label}" is not one of the dataset's labels (${dataset.labels.join(', ')})`;
}

export function featureProblems(
  features: Readonly<Record<string, unknown>>,
  schema: readonly FeatureSpec[],
): Record<string, string> {
  const problems: Record<string, string> = {};
  const known = new Map(schema.map((spec) => [spec.name, spec]));
  for (const [name, value] of Object.entries(features)) {
    const spec = known.get(name);
    if (!spec) problems[`features.${name}`] = `is not a feature of this dataset (${[...known.keys()].join(', ')})`;
    else if (value === null) continue;
    else if (spec.type === 'number' && numberOf(value) === null)
      problems[`features.${name}`] = `${FEATURE_RULES.number}, got ${JSON.stringify(value)}`;
    // The models read float32s: a value beyond its range would reach them as infinity.
    else if (spec.type === 'number' && !isFiniteFloat32(numberOf(value)))
      problems[`features.${name}`] = `${FEATURE_RULES.float32}, got ${JSON.stringify(value)}`;
    else if (spec.type === 'category' && !(spec.categories ?? []).includes(String(value)))
      problems[`features.${name}`] =
        `must be one of ${(spec.categories ?? []).join(', ')}, got ${JSON.stringify(value)}`;
  }
  return problems;
}

function pick(record: DataRecord): Record<string, unknown> {
  return Object.fromEntries(recordAuditedFields.map((field) => [field, record.get(field)]));
}
