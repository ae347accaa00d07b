import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { refusalOf } from './change-set-access.js';
import { findChangeSet } from './find-change-set.js';
import { revertStateSql } from './revert-state-sql.js';
import { differingFields } from './tracked-field-sql.js';

/** Conflicts listed by name in a preview (the count covers them all). */
const CONFLICTS_LISTED = 20;

export interface RevertConflict {
  recordId: number;
  /** The fields changed since (for a created record: the fields a later change set). */
  fields: string[];
  /** Who changed it last, and when. */
  by: string;
  at: string;
}

export interface RevertPreview {
  changeSetId: number;
  auditSeq: number | null;
  action: string;
  /** Rows in the change-set. */
  records: number;
  /** Records a revert puts back without overwriting anyone: with `overwrite`, the conflicts go back too. */
  wouldRevert: number;
  /** Records that have their values from before the change already (or, created by it, are deleted). */
  alreadyReverted: number;
  /** Records changed since by a later change-set. */
  conflicts: { count: number; first: RevertConflict[] };
  /** Records of the change-set that no longer exist. */
  missing: number;
  fields: string[];
  /** The latest revert of this change-set, if any. */
  revertedBy: { changeSetId: number; by: string; at: string } | null;
  /** Why this actor may not revert it (the sentence to show), or null. */
  refused: string | null;
}

/**
 * What reverting a change-set would do, as of now: how many records go back, how many are back
 * already, and which were changed since (who and when). Reads only; one pass over the change-set.
 */
export async function previewRevert(
  actor: Actor,
  changeSetId: number,
  transaction?: Transaction,
): Promise<RevertPreview> {
  const changeSet = await findChangeSet(changeSetId, { transaction });
  const sql = revertStateSql(changeSet.fields);
  const sequelize = sequelizeOf();
  const [count] = await sequelize.query<{
    clean: number;
    already: number;
    conflict: number;
    missing: number;
    total: number;
  }>(
    `SELECT count(*) FILTER (WHERE s = 'clean')::int AS clean, count(*) FILTER (WHERE s = 'already')::int AS already,
            count(*) FILTER (WHERE s = 'conflict')::int AS conflict, count(*) FILTER (WHERE s = 'missing')::int AS missing,
            count(*)::int AS total
       FROM (SELECT ${sql.state} AS s FROM record_changes c LEFT JOIN records r ON r.id = c.record_id
              WHERE c.change_set_id = :id) states`,
    { replacements: { id: changeSetId }, type: QueryTypes.SELECT, transaction },
  );
  if (!count) throw new Error('a count query answered no row');
  const first =
    count.conflict === 0
      ? []
      : await sequelize.query<{ record_id: string; fields: string[]; by: string; at: Date }>(
          `SELECT c.record_id,
                  CASE WHEN c.kind = 'c' THEN ARRAY(SELECT jsonb_object_keys(w.after) ORDER BY 1)
                       ELSE ${differingFields('r', 'c.after', changeSet.fields)} END AS fields,
                  w.actor_label AS by, w.created_at AS at
             FROM record_changes c JOIN records r ON r.id = c.record_id
             LEFT JOIN LATERAL (
               SELECT cs.actor_label, cs.created_at, l.after FROM record_changes l JOIN change_sets cs ON cs.id = l.change_set_id
                WHERE l.record_id = c.record_id AND l.change_set_id > c.change_set_id
                ORDER BY l.change_set_id DESC LIMIT 1) w ON TRUE
            WHERE c.change_set_id = :id AND NOT ${sql.already} AND ${sql.conflict}
            ORDER BY c.record_id LIMIT ${CONFLICTS_LISTED}`,
          { replacements: { id: changeSetId }, type: QueryTypes.SELECT, transaction },
        );
  const [revert] = await sequelize.query<{ id: string; actor_label: string; created_at: Date }>(
    `SELECT id, actor_label, created_at FROM change_sets WHERE reverts_change_set_id = :id ORDER BY id DESC LIMIT 1`,
    { replacements: { id: changeSetId }, type: QueryTypes.SELECT, transaction },
  );
  const refusal = refusalOf(actor, 'revert', { fields: changeSet.fields, deletesCreated: changeSet.created });
  return {
    changeSetId,
    auditSeq: changeSet.auditSeq,
    action: changeSet.action,
    records: count.total,
    wouldRevert: count.clean,
    alreadyReverted: count.already,
    conflicts: {
      count: count.conflict,
      first: first.map((row) => ({
        recordId: Number(row.record_id),
        fields: row.fields,
        // A later change always exists for a conflict; "someone" only if its change-set is gone.
        by: row.by ?? 'someone',
        at: row.at ? new Date(row.at).toISOString() : '',
      })),
    },
    missing: count.missing,
    fields: changeSet.fields,
    revertedBy: revert
      ? { changeSetId: Number(revert.id), by: revert.actor_label, at: new Date(revert.created_at).toISOString() }
      : null,
    refused: refusal?.message ?? null,
  };
}
