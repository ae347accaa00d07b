import { QueryTypes, type Transaction } from 'sequelize';
import { sequelizeOf } from '../../../models/index.js';
import { actorId, actorLabel, type Actor } from '../../access/actor.js';

/** A change-set being recorded in a transaction (see closeChangeSet). */
export interface OpenChangeSet {
  id: number;
}

/**
 * Inserts the change_sets row and sets `modeldesk.change_set` for the rest of `transaction`: from here
 * on the capture triggers on records (migration 20261207001000) record, for every record the
 * transaction changes or creates, the previous and new values of the fields it changed. Without an
 * open change-set the database refuses any change to a record's fields.
 */
export async function openChangeSet(
  transaction: Transaction,
  actor: Actor,
  action: string,
  options: { revertsChangeSetId?: number } = {},
): Promise<OpenChangeSet> {
  const [row] = await sequelizeOf().query<{ id: string }>(
    `WITH opened AS (
       INSERT INTO change_sets (action, actor_label, actor_id, reverts_change_set_id)
       VALUES (:action, :actorLabel, :actorId, :reverts) RETURNING id
     )
     SELECT id, set_config('modeldesk.change_set', id::text, true) FROM opened`,
    {
      replacements: {
        action,
        actorLabel: actorLabel(actor),
        actorId: actorId(actor),
        reverts: options.revertsChangeSetId ?? null,
      },
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  return { id: Number(row!.id) };
}
