import { Op } from 'sequelize';
import * as z from 'zod';
import { DataRecord } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure, withAudit } from '../audit/with-audit.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';

export interface DeletedRecord {
  id: number;
  datasetId: number;
  label: string | null;
  text: string | null;
  deletedAt: Date;
}

const RestoreInput = z.object({
  ids: z.array(z.coerce.number().int().positive()).min(1, 'choose at least one record to restore').max(10_000),
});

function checkAllowed(actor: Actor): void {
  if (decide(actor, 'records', 'restoreDeleted') !== true)
    throw new Forbidden('records.restore_forbidden', 'Only admins restore deleted records.');
}

/** The most recently deleted records (soft-deleted: still in the table), newest first. */
export async function listDeletedRecords(
  actor: Actor,
  options: { datasetId?: number; limit?: number } = {},
): Promise<{ records: DeletedRecord[]; total: number }> {
  checkAllowed(actor);
  const where = { deletedAt: { [Op.ne]: null }, ...(options.datasetId ? { datasetId: options.datasetId } : {}) };
  const [rows, total] = await Promise.all([
    DataRecord.findAll({
      where,
      paranoid: false,
      attributes: ['id', 'datasetId', 'label', 'text', 'deletedAt'],
      order: [
        ['deletedAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: options.limit ?? 200,
    }),
    DataRecord.count({ where, paranoid: false }),
  ]);
  return {
    records: rows.map((r) => ({
      id: r.id,
      datasetId: r.datasetId,
      label: r.label,
      text: r.text?.slice(0, 120) ?? null,
      deletedAt: r.deletedAt!,
    })),
    total,
  };
}

/** Brings soft-deleted records back, in one transaction with one audit event (records.restore). */
export async function restoreRecords(actor: Actor, raw: { ids: unknown }): Promise<number> {
  const parsed = RestoreInput.safeParse(raw);
  if (!parsed.success)
    throw new InvalidInput(
      'records.restore_input',
      `Check the selection: ${parsed.error.issues.map((i) => i.message).join('; ')}.`,
    );
  const { ids } = parsed.data;
  try {
    checkAllowed(actor);
  } catch (error) {
    await recordFailure(actor, { action: 'records.restore', resource: 'records', recordIds: ids }, error);
    throw error;
  }
  return withAudit(actor, { action: 'records.restore', resource: 'records' }, async (transaction, audit) => {
    const deleted = await DataRecord.findAll({
      where: { id: ids, deletedAt: { [Op.ne]: null } },
      paranoid: false,
      attributes: ['id'],
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    const found = deleted.map((r) => r.id);
    if (found.length === 0)
      throw new InvalidInput(
        'records.not_deleted',
        'None of these records is deleted (restored already?): reload the list.',
      );
    await audit.trackRecordChanges();
    await DataRecord.restore({ where: { id: found }, transaction });
    audit.note({
      recordIds: found,
      selection: { requested: ids.length, restored: found.length },
      before: { deleted: true },
      after: { deleted: false },
    });
    return found.length;
  });
}
