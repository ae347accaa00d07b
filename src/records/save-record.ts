import * as z from 'zod';
import type { Transaction } from 'sequelize';
import { DataRecord, Dataset } from '../../models/index.js';
import { recordAuditedFields } from '../../models/data-record.js';
import { RecordSplit, type FeatureSpec } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { withAudit, type AuditNote } from '../audit/with-audit.js';
import { constraintMessage } from '../db/constraint-messages.js';
import { Forbidden, InvalidInput, NotFound } from '../errors/domain-error.js';
import { numberOf } from '../ml/tabular/tabular-encoder.js';
import { editableRecordFields } from './editable-record-fields.js';

const Tag = z.string().trim().min(1, 'tags are not empty').max(64, 'tags are at most 64 characters');

/** The fields a record is written with (API and services); datasetId only when creating. */
export const RecordFields = z
  .object({
    text: z.string().max(1_000_000, 'at most 1,000,000 characters').nullable(),
    features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullable(),
    label: z.string().trim().min(1).max(200).nullable(),
    split: RecordSplit,
    tags: z.array(Tag).max(50, 'at most 50 tags').transform((tags) => [...new Set(tags)]),
    source: z.string().max(500).nullable(),
  })
  .partial()
  .strict();
export type RecordFields = z.infer<typeof RecordFields>;

export const NewRecord = RecordFields.extend({ datasetId: z.number().int().positive() }).strict();
export type NewRecord = z.infer<typeof NewRecord>;

/** Creates a record in a dataset, audited as `records.create`. */
export async function createRecord(actor: Actor, input: NewRecord): Promise<DataRecord> {
  return write(actor, 'records.create', async (transaction, note) => {
    if (decide(actor, 'records', 'new') !== true) throw new Forbidden('records.create_forbidden', 'Your role may not create records.');
    const dataset = await Dataset.findByPk(input.datasetId, { transaction });
    if (!dataset) throw new InvalidInput('record.dataset_not_found', `There is no dataset ${input.datasetId}: GET /api/v1/datasets lists them.`, { datasetId: 'no such dataset' });
    checkInput(dataset, input);
    const record = await DataRecord.create({ ...input, text: input.text ?? null, features: input.features ?? null, label: input.label ?? null, source: input.source ?? null }, { transaction });
    note({ recordIds: [record.id], after: pick(record) });
    return record;
  });
}

/** Changes the given fields, those the actor's role may change only; audited as `records.update` with the diff. */
export async function updateRecord(actor: Actor, id: number, changes: RecordFields): Promise<DataRecord> {
  return write(actor, 'records.update', async (transaction, note) => {
    note({ recordIds: [id] });
    const record = await DataRecord.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!record) throw new NotFound('record.not_found', `There is no record ${id} (or it was deleted).`);
    if (decide(actor, 'records', 'edit', record.get()) === false) throw new Forbidden('records.edit_forbidden', 'Your role may not edit records.');
    const allowed = editableRecordFields(actor);
    const refused = Object.keys(changes).filter((field) => allowed !== 'all' && !allowed.includes(field));
    if (refused.length > 0) {
      throw new Forbidden('records.field_forbidden', `Your role may change only ${allowed === 'all' ? 'any field' : allowed.join(', ') || 'no field'} of a record, not ${refused.join(', ')}.`, Object.fromEntries(refused.map((f) => [f, 'not editable by your role'])));
    }
    const dataset = (await Dataset.findByPk(record.datasetId, { transaction }))!;
    checkInput(dataset, { ...record.get(), ...changes });
    const before = pick(record);
    await record.update(changes, { transaction });
    const after = pick(record);
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    note({ before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])) });
    return record;
  });
}

/** Soft-deletes a record (admins can restore it); audited as `records.delete`. */
export async function deleteRecord(actor: Actor, id: number): Promise<void> {
  await write(actor, 'records.delete', async (transaction, note) => {
    note({ recordIds: [id] });
    const record = await DataRecord.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!record) throw new NotFound('record.not_found', `There is no record ${id} (or it was already deleted).`);
    if (decide(actor, 'records', 'delete', record.get()) === false) throw new Forbidden('records.delete_forbidden', 'Your role may not delete records.');
    note({ before: pick(record) });
    await record.destroy({ transaction });
  });
}

async function write<T>(actor: Actor, action: string, work: (transaction: Transaction, note: (note: AuditNote) => void) => Promise<T>): Promise<T> {
  try {
    return await withAudit(actor, { action, resource: 'records' }, (transaction, audit) => work(transaction, (n) => audit.note(n)));
  } catch (error) {
    const message = constraintMessage(error);
    if (message) throw new InvalidInput('record.constraint', message, undefined, { cause: error });
    throw error;
  }
}

/** Text for text datasets, features that fit the schema for tabular ones. */
function checkInput(dataset: Dataset, record: { text?: string | null; features?: Record<string, unknown> | null }): void {
  const problems = inputProblems(dataset, record);
  if (problems.text) throw new InvalidInput('record.text_required', `Dataset "${dataset.name}" classifies text: give the record's text.`, problems);
  if (problems.features) throw new InvalidInput('record.features_required', `Dataset "${dataset.name}" is tabular: give the record's features (${dataset.featureSchema.map((f) => f.name).join(', ')}).`, problems);
  if (Object.keys(problems).length > 0) {
    throw new InvalidInput('record.features_invalid', `The features do not fit dataset "${dataset.name}": ${Object.entries(problems).map(([f, m]) => `${f} ${m}`).join('; ')}.`, problems);
  }
}

/**
 * What keeps a record's input from fitting its dataset, by field (`text`, `features`, `features.<name>`):
 * the one statement of the rule, shared by saving a record and importing a CSV.
 */
export function inputProblems(dataset: Dataset, record: { text?: string | null; features?: Record<string, unknown> | null }): Record<string, string> {
  if (dataset.task === 'text-classification') return record.text ? {} : { text: 'required for a text dataset' };
  if (!record.features) return { features: 'required for a tabular dataset' };
  return featureProblems(record.features, dataset.featureSchema);
}

/** A human label outside the dataset's label set (when it declares one): the database trigger `records_label_in_dataset` says the same. */
export function labelProblem(dataset: Pick<Dataset, 'labels'>, label: string | null | undefined): string | undefined {
  if (label === null || label === undefined || dataset.labels.length === 0 || dataset.labels.includes(label)) return undefined;
  return `"${label}" is not one of the dataset's labels (${dataset.labels.join(', ')})`;
}

export function featureProblems(features: Readonly<Record<string, unknown>>, schema: readonly FeatureSpec[]): Record<string, string> {
  const problems: Record<string, string> = {};
  const known = new Map(schema.map((spec) => [spec.name, spec]));
  for (const [name, value] of Object.entries(features)) {
    const spec = known.get(name);
    if (!spec) problems[`features.${name}`] = `is not a feature of this dataset (${[...known.keys()].join(', ')})`;
    else if (value === null) continue;
    else if (spec.type === 'number' && numberOf(value) === null) problems[`features.${name}`] = `must be a finite number, got ${JSON.stringify(value)}`;
    else if (spec.type === 'category' && !(spec.categories ?? []).includes(String(value))) problems[`features.${name}`] = `must be one of ${(spec.categories ?? []).join(', ')}, got ${JSON.stringify(value)}`;
  }
  return problems;
}

function pick(record: DataRecord): Record<string, unknown> {
  return Object.fromEntries(recordAuditedFields.map((field) => [field, record.get(field)]));
}
