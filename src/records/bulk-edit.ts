import { QueryTypes, type Transaction } from 'sequelize';
import * as z from 'zod';
import { DataRecord, sequelizeOf } from '../../models/index.js';
import { RecordSplit } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure, withAudit } from '../audit/with-audit.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';
import { selectSql } from '../db/select-sql.js';
import { editableRecordFields } from './editable-record-fields.js';
import { describeSelection, RecordSelection, selectionWhere } from './record-selection.js';

/** Above this many records to change, the console runs a bulk edit as a background job with progress. */
export const BULK_EDIT_JOB_THRESHOLD = 5_000;
/** Records updated per statement (all in one transaction: nothing is half-applied). */
const CHUNK = 2_000;
/**
 * Changed record ids shown in the audit event as a preview; the event's change-set lists every
 * changed record with its previous values (src/records/history/), whatever the size.
 */
const AUDITED_IDS_PREVIEW = 100;

const tagList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().trim().min(1).max(64, 'a tag has at most 64 characters')).max(20).optional(),
);
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** What a bulk edit sets: any of label, split, tags to add, tags to remove. */
export const BulkChanges = z
  .object({
    label: z.preprocess(blankToUndefined, z.string().trim().min(1).max(200).optional()),
    split: z.preprocess(blankToUndefined, RecordSplit.optional()),
    addTags: tagList,
    removeTags: tagList,
  })
  .refine(
    (c) =>
      c.label !== undefined || c.split !== undefined || (c.addTags?.length ?? 0) > 0 || (c.removeTags?.length ?? 0) > 0,
    {
      message: 'say what to change: a label, a split, or tags to add or remove',
    },
  );
export type BulkChanges = z.infer<typeof BulkChanges>;

/** A bulk edit as the API takes it: which records, and what to change. */
export const BulkEditRequest = z.object({ selection: RecordSelection, changes: BulkChanges });
export type BulkEditRequest = z.infer<typeof BulkEditRequest>;

export interface BulkEditPreview {
  /** Records the selection matches. */
  matching: number;
  /** Of those, records the edit would actually change. */
  changing: number;
  /** Records the edit cannot apply to (e.g. a label outside their dataset's label set): nothing is applied while there are any. */
  invalid: { count: number; firstIds: number[]; reason: string } | null;
}

export interface BulkEditResult {
  changed: number;
  matching: number;
}

export type BulkProgress = (done: number, total: number) => Promise<void>;

/** Parses and checks a request: who may change which fields, through one rule (editableRecordFields). */
export function parseBulkEdit(
  actor: Actor,
  raw: { selection: unknown; changes: unknown },
): { selection: RecordSelection; changes: BulkChanges } {
  const selection = RecordSelection.safeParse(raw.selection);
  if (!selection.success)
    throw new InvalidInput(
      'bulk.selection',
      `Check the selection: ${selection.error.issues.map((i) => i.message).join('; ')}.`,
    );
  const changes = BulkChanges.safeParse(raw.changes);
  if (!changes.success) {
    const fields = Object.fromEntries(changes.error.issues.map((i) => [i.path.join('.') || 'changes', i.message]));
    throw new InvalidInput(
      'bulk.changes',
      `Check the changes: ${Object.entries(fields)
        .map(([f, m]) => `${f}: ${m}`)
        .join('; ')}.`,
      fields,
    );
  }
  return { selection: selection.data, changes: changes.data };
}

/** The record fields a bulk change names (tags for addTags/removeTags), given or not yet parsed. */
function fieldsOf(changes: Record<string, unknown>): string[] {
  const given = (value: unknown) =>
    value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
  return [
    given(changes.label) && 'label',
    given(changes.split) && 'split',
    (given(changes.addTags) || given(changes.removeTags)) && 'tags',
  ].filter(Boolean) as string[];
}

function checkAllowed(actor: Actor, changes: Record<string, unknown>): void {
  if (decide(actor, 'records', 'bulkEdit') !== true)
    throw new Forbidden('bulk.forbidden', 'Your role may not edit records in bulk.');
  const allowed = editableRecordFields(actor);
  if (allowed === 'all') return;
  const refused = fieldsOf(changes).filter((field) => !allowed.includes(field));
  if (refused.length > 0) {
    throw new Forbidden(
      'bulk.fields_forbidden',
      `Your role may change only: ${allowed.join(', ')} (not ${refused.join(', ')}).`,
      Object.fromEntries(refused.map((f) => [f, 'not editable by your role'])),
    );
  }
}

/**
 * The one door of a bulk edit from the console and the API: who may change which fields (checked on
 * what was asked, before its shape, so a field the role may not change is refused as such), then the
 * selection and the changes. A refusal is audited (`records.bulk_update`, denied or failed).
 */
export async function checkBulkEdit(
  actor: Actor,
  raw: { selection: unknown; changes: unknown },
): Promise<{ selection: RecordSelection; changes: BulkChanges }> {
  try {
    const changes =
      raw.changes !== null && typeof raw.changes === 'object' ? (raw.changes as Record<string, unknown>) : {};
    checkAllowed(actor, changes);
    return parseBulkEdit(actor, raw);
  } catch (error) {
    const selection = RecordSelection.safeParse(raw.selection);
    await recordFailure(
      actor,
      {
        action: 'records.bulk_update',
        resource: 'records',
        selection: selection.success ? describeSelection(selection.data) : null,
      },
      error,
    );
    throw error;
  }
}

/** SQL condition (on alias r) for "this change would alter the row". */
function changesSomething(changes: BulkChanges): { sql: string; replacements: Record<string, unknown> } {
  const parts: string[] = [];
  if (changes.label !== undefined) parts.push('r.label IS DISTINCT FROM :label');
  if (changes.split !== undefined) parts.push('r.split IS DISTINCT FROM CAST(:split AS record_split)');
  if (changes.addTags?.length) parts.push('NOT (r.tags @> CAST(:addTags AS text[]))');
  if (changes.removeTags?.length) parts.push('r.tags && CAST(:removeTags AS text[])');
  return {
    sql: `(${parts.join(' OR ')})`,
    replacements: {
      label: changes.label ?? null,
      split: changes.split ?? null,
      addTags: arrayLiteral(changes.addTags ?? []),
      removeTags: arrayLiteral(changes.removeTags ?? []),
    },
  };
}

/**
 * A Postgres array literal ('{"a","b"}') for CAST(:x AS text[]): Sequelize expands an array
 * replacement into a comma-separated list, which is not an array.
 */
function arrayLiteral(values: ReadonlyArray<string | number>): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

/** Ids of the selected, not deleted records, as SQL (Sequelize's own query builder, so the filter rules stay in one place). */
function selectedIdsSql(selection: RecordSelection): string {
  return selectSql(DataRecord, { attributes: ['id'], where: selectionWhere(selection) });
}

/** How many records match, how many would change, and which cannot take the change. */
export async function previewBulkEdit(
  actor: Actor,
  selection: RecordSelection,
  changes: BulkChanges,
  transaction?: Transaction,
): Promise<BulkEditPreview> {
  checkAllowed(actor, changes);
  const sequelize = sequelizeOf();
  const ids = selectedIdsSql(selection);
  const changing = changesSomething(changes);
  const [counts] = await sequelize.query<{ matching: number; changing: number }>(
    `SELECT count(*)::int AS matching, count(*) FILTER (WHERE ${changing.sql})::int AS changing FROM records r WHERE r.id IN (${ids})`,
    { replacements: changing.replacements, type: QueryTypes.SELECT, transaction },
  );
  let invalid: BulkEditPreview['invalid'] = null;
  if (changes.label !== undefined) {
    const bad = await sequelize.query<{ id: number; dataset: string }>(
      `SELECT r.id, d.name AS dataset FROM records r JOIN datasets d ON d.id = r.dataset_id
        WHERE r.id IN (${ids}) AND NOT (CAST(:label AS text) = ANY (d.labels)) ORDER BY r.id LIMIT 11`,
      { replacements: { label: changes.label }, type: QueryTypes.SELECT, transaction },
    );
    if (bad.length > 0) {
      const [{ count }] = (await sequelize.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE r.id IN (${ids}) AND NOT (CAST(:label AS text) = ANY (d.labels))`,
        { replacements: { label: changes.label }, type: QueryTypes.SELECT, transaction },
      )) as [{ count: number }];
      const datasets = [...new Set(bad.map((b) => b.dataset))].join(', ');
      invalid = {
        count,
        firstIds: bad.slice(0, 10).map((b) => Number(b.id)),
        reason: `"${changes.label}" is not a label of dataset ${datasets}; narrow the selection to records of a dataset that has this label, or add it to the dataset's labels`,
      };
    }
  }
  return { matching: Number(counts?.matching ?? 0), changing: Number(counts?.changing ?? 0), invalid };
}

/**
 * Applies a bulk edit in ONE transaction, chunk by chunk (progress after each; a throw from
 * `progress`, e.g. a cancelled job, rolls everything back), with one audit event: the selection, the
 * number changed, the changed ids (up to 10,000), the values before (per record up to 1,000, else
 * counts per old value) and the new values. Only records that actually change are written.
 */
export async function applyBulkEdit(
  actor: Actor,
  selection: RecordSelection,
  changes: BulkChanges,
  progress: BulkProgress = async () => undefined,
): Promise<BulkEditResult> {
  try {
    checkAllowed(actor, changes);
  } catch (error) {
    await recordFailure(
      actor,
      { action: 'records.bulk_update', resource: 'records', selection: describeSelection(selection) },
      error,
    );
    throw error;
  }
  return withAudit(actor, { action: 'records.bulk_update', resource: 'records' }, async (transaction, audit) => {
    audit.note({ selection: { ...describeSelection(selection) }, after: changes });
    const preview = await previewBulkEdit(actor, selection, changes, transaction);
    if (preview.invalid) {
      throw new InvalidInput(
        'bulk.invalid_records',
        `${preview.invalid.count} selected record(s) cannot take this change (first: ${preview.invalid.firstIds.join(', ')}): ${preview.invalid.reason}. Nothing was changed.`,
      );
    }
    const sequelize = sequelizeOf();
    const changing = changesSomething(changes);
    const targets = await sequelize.query<{ id: number }>(
      `SELECT r.id FROM records r WHERE r.id IN (${selectedIdsSql(selection)}) AND ${changing.sql} ORDER BY r.id FOR UPDATE`,
      { replacements: changing.replacements, type: QueryTypes.SELECT, transaction },
    );
    const touchesTags = Boolean(changes.addTags?.length || changes.removeTags?.length);
    await audit.trackRecordChanges();
    const assignments = [
      ...(changes.label !== undefined ? ['label = CAST(:label AS text)'] : []),
      ...(changes.split !== undefined ? ['split = CAST(:split AS record_split)'] : []),
      // Tags: existing ones in their order, then the added ones not yet present; removed ones dropped.
      ...(touchesTags
        ? [
            `tags = ARRAY(SELECT t FROM unnest(tags || CAST(:addTags AS text[])) WITH ORDINALITY AS u(t, i)
                   WHERE NOT (t = ANY (CAST(:removeTags AS text[]))) GROUP BY t ORDER BY min(i))`,
          ]
        : []),
    ];
    await progress(0, targets.length);
    for (let start = 0; start < targets.length; start += CHUNK) {
      const chunk = targets.slice(start, start + CHUNK).map((t) => Number(t.id));
      await sequelize.query(
        `UPDATE records SET ${assignments.join(', ')}, updated_at = now() WHERE id = ANY (CAST(:ids AS bigint[]))`,
        {
          replacements: { ...changing.replacements, ids: arrayLiteral(chunk) },
          transaction,
        },
      );
      await progress(Math.min(targets.length, start + CHUNK), targets.length);
    }
    audit.note({
      recordIds: targets.slice(0, AUDITED_IDS_PREVIEW).map((t) => t.id),
      selection: {
        ...describeSelection(selection),
        matching: preview.matching,
        changed: targets.length,
        ...(targets.length > AUDITED_IDS_PREVIEW ? { idsListed: AUDITED_IDS_PREVIEW } : {}),
      },
      before: null,
      after: changes,
    });
    return { changed: targets.length, matching: preview.matching };
  });
}
