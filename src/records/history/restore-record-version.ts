import { QueryTypes, type Transaction } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { recordFailure, withAudit } from '../../audit/with-audit.js';
import { constraintMessage } from '../../db/constraint-messages.js';
import { Conflict, InvalidInput, NotFound } from '../../errors/domain-error.js';
import { refusalOf } from './change-set-access.js';
import {
  assignFromJson,
  differingFields,
  isTrackedField,
  trackedValuesJson,
  TRACKED_FIELDS,
} from './tracked-field-sql.js';

export const RestoreVersionRequest = z
  .object({
    changeSetId: z.coerce
      .number()
      .int('a whole number')
      .positive('a change-set id')
      .meta({ description: "The change-set (from the record's History) whose result to go back to." }),
  })
  .meta({ id: 'RestoreVersionRequest' });
export type RestoreVersionRequest = z.infer<typeof RestoreVersionRequest>;

export interface RestoreVersionPreview {
  recordId: number;
  changeSetId: number;
  /** The record's tracked fields now, and as they were right after the change-set. */
  current: Record<string, unknown>;
  target: Record<string, unknown>;
  /** The fields a restore would change. */
  fields: string[];
  /** Why this actor may not restore it (the sentence to show), or null. */
  refused: string | null;
}

/**
 * The record's values right after change-set `:changeSet`: every later change of it undone, the
 * oldest later change's `before` winning for each field (it is the value the change-set left).
 */
const UNDO_LATER_CHANGES = `
  SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) AS j FROM (
    SELECT DISTINCT ON (e.key) e.key, e.value
      FROM record_changes l CROSS JOIN LATERAL jsonb_each(l.before) e
     WHERE l.record_id = :record AND l.change_set_id > :changeSet
     ORDER BY e.key, l.change_set_id) firsts`;

interface Version {
  current: Record<string, unknown>;
  target: Record<string, unknown>;
  fields: string[];
}

async function versionOf(
  recordId: number,
  changeSetId: number,
  transaction?: Transaction,
  lock = false,
): Promise<Version> {
  const replacements = { record: recordId, changeSet: changeSetId };
  const sequelize = sequelizeOf();
  // Deleted records too: restoring a version from before a delete brings the record back.
  const [exists] = await sequelize.query<{ id: string }>(
    `SELECT id FROM records WHERE id = :record ${lock ? 'FOR UPDATE' : ''}`,
    { replacements, type: QueryTypes.SELECT, transaction },
  );
  if (!exists) throw new NotFound('record.not_found', `There is no record ${recordId}.`);
  const [touched] = await sequelize.query(
    `SELECT 1 FROM record_changes WHERE record_id = :record AND change_set_id = :changeSet`,
    { replacements, type: QueryTypes.SELECT, transaction },
  );
  if (!touched)
    throw new NotFound(
      'history.not_in_history',
      `Change-set ${changeSetId} did not change record ${recordId}: pick a version from the record's History.`,
    );
  const [version] = await sequelize.query<Version>(
    `WITH undo AS (${UNDO_LATER_CHANGES})
     SELECT ${trackedValuesJson('r')} AS current, ${trackedValuesJson('r')} || undo.j AS target,
            ${differingFields('r', 'undo.j', TRACKED_FIELDS)} AS fields
       FROM records r, undo WHERE r.id = :record`,
    { replacements, type: QueryTypes.SELECT, transaction },
  );
  return version!;
}

/** What restoring the record to its state right after a change-set would change. Reads only. */
export async function previewRestoreVersion(
  actor: Actor,
  recordId: number,
  changeSetId: number,
): Promise<RestoreVersionPreview> {
  const version = await versionOf(recordId, changeSetId);
  const refusal = refusalOf(actor, 'restoreVersion', { fields: version.fields, deletesCreated: false });
  return { recordId, changeSetId, ...version, refused: refusal?.message ?? null };
}

const pick = (values: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, values[f]]));

/**
 * Puts one record back to its state right after a change-set of its History (every later change of
 * it undone), as a change-set of its own (`records.restore_version`), so that it can be reverted too.
 * Only the fields that differ are written; the actor's role must be allowed to change each of them.
 */
export async function restoreRecordVersion(
  actor: Actor,
  recordId: number,
  changeSetId: number,
): Promise<{ changeSetId: number; fields: string[] }> {
  const what = { action: 'records.restore_version', resource: 'records' };
  const selection = { recordId, toChangeSetId: changeSetId };
  try {
    const preview = await versionOf(recordId, changeSetId);
    const refusal = refusalOf(actor, 'restoreVersion', { fields: preview.fields, deletesCreated: false });
    if (refusal) throw refusal;
  } catch (error) {
    await recordFailure(actor, { ...what, recordIds: [recordId], selection }, error);
    throw error;
  }
  return withAudit(actor, what, async (transaction, audit) => {
    audit.note({ recordIds: [recordId], selection });
    const version = await versionOf(recordId, changeSetId, transaction, true);
    // Someone may have changed the record since the check: the fields are checked again on what is written.
    const refusal = refusalOf(actor, 'restoreVersion', { fields: version.fields, deletesCreated: false });
    if (refusal) throw refusal;
    if (version.fields.length === 0)
      throw new Conflict(
        'history.version_current',
        `Record ${recordId} has the values it had after change-set ${changeSetId} already: there is nothing to restore.`,
      );
    const changeSet = await audit.trackRecordChanges();
    const fields = version.fields.filter(isTrackedField);
    await sequelizeOf()
      .query(
        `WITH undo AS (${UNDO_LATER_CHANGES})
         UPDATE records r SET ${fields.map((f) => assignFromJson('r', 'undo.j', f)).join(', ')}, updated_at = now()
           FROM undo WHERE r.id = :record`,
        { replacements: { record: recordId, changeSet: changeSetId }, transaction },
      )
      .catch((error: unknown) => {
        const message = constraintMessage(error);
        if (!message) throw error;
        throw new InvalidInput(
          'history.restore_refused',
          `Record ${recordId} cannot take these values back: ${message} Nothing was changed.`,
          undefined,
          { cause: error },
        );
      });
    audit.note({
      recordIds: [recordId],
      selection: { ...selection, fields },
      before: pick(version.current, fields),
      after: pick(version.target, fields),
    });
    return { changeSetId: changeSet.id, fields };
  });
}
