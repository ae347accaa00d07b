import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { refusalMessage } from '../../access/refusal-message.js';
import { recordFailure, withAudit } from '../../audit/with-audit.js';
import { Forbidden, InvalidInput, NotFound } from '../../errors/domain-error.js';

/**
 * What flags a version as drifted. The usual rule of thumb for PSI (< 0.1 stable, 0.1–0.2 moderate,
 * > 0.2 significant) and a KS distance of 0.1 (a tenth of the records moved past some value); an
 * out-of-vocabulary rate 5 points above training; below `minLiveRecords` live records nothing is
 * flagged (a handful of records shows large PSI by chance).
 */
export const DEFAULT_DRIFT_THRESHOLDS = { psi: 0.2, ks: 0.1, oovRateIncrease: 0.05, minLiveRecords: 100 } as const;

export const DriftThresholds = z
  .object({
    psi: z.coerce.number().gt(0, 'PSI threshold above 0 (0.2 is usual)').max(10, 'PSI threshold at most 10'),
    ks: z.coerce.number().gt(0, 'KS threshold above 0 (0.1 is usual)').max(1, 'KS threshold at most 1'),
    oovRateIncrease: z.coerce
      .number()
      .gt(0, 'out-of-vocabulary increase above 0 (0.05 = 5 points)')
      .max(1, 'out-of-vocabulary increase at most 1'),
    minLiveRecords: z.coerce
      .number()
      .int('a whole number of records')
      .min(1, 'at least 1 live record')
      .max(1_000_000, 'at most 1,000,000'),
  })
  .meta({ id: 'DriftThresholds', description: 'What flags a model version as drifted.' });
export type DriftThresholds = z.infer<typeof DriftThresholds>;

/** A change: any subset; an empty string or null puts one back to its default. */
const resettable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? null : v), schema.nullable().optional());
export const DriftThresholdsChange = z
  .object({
    psi: resettable(DriftThresholds.shape.psi),
    ks: resettable(DriftThresholds.shape.ks),
    oovRateIncrease: resettable(DriftThresholds.shape.oovRateIncrease),
    minLiveRecords: resettable(DriftThresholds.shape.minLiveRecords),
  })
  .strict()
  .meta({ id: 'DriftThresholdsChange', description: 'Thresholds to change; null or "" puts one back to its default.' });
export type DriftThresholdsChange = z.input<typeof DriftThresholdsChange>;

/** The stored overrides over the defaults (unknown keys and bad values in the column are ignored). */
export function thresholdsOf(stored: unknown): DriftThresholds {
  const out: DriftThresholds = { ...DEFAULT_DRIFT_THRESHOLDS };
  if (stored && typeof stored === 'object')
    for (const key of Object.keys(out) as Array<keyof DriftThresholds>) {
      const parsed = DriftThresholds.shape[key].safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success) out[key] = parsed.data;
    }
  return out;
}

export async function storedThresholds(modelId: number): Promise<Record<string, unknown> | null> {
  const [row] = await sequelizeOf().query<{ drift_thresholds: Record<string, unknown> }>(
    'SELECT drift_thresholds FROM models WHERE id = :modelId',
    { replacements: { modelId }, type: QueryTypes.SELECT },
  );
  return row ? row.drift_thresholds : null;
}

/**
 * Changes a model's drift thresholds (models.driftSettings), audited as models.drift_settings with the
 * thresholds in force before and after. Returns the thresholds now in force.
 */
export async function setDriftThresholds(
  actor: Actor,
  modelId: number,
  change: unknown,
): Promise<{ thresholds: DriftThresholds; changed: Record<string, number> }> {
  const what = { action: 'models.drift_settings', resource: 'models' };
  if (decide(actor, 'models', 'driftSettings') !== true) {
    const error = new Forbidden('drift.settings_forbidden', refusalMessage(actor, 'models', 'driftSettings'));
    await recordFailure(actor, { ...what, recordIds: [String(modelId)] }, error);
    throw error;
  }
  const parsed = DriftThresholdsChange.safeParse(change);
  if (!parsed.success)
    throw new InvalidInput(
      'drift.settings_input',
      `Check the drift thresholds: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}.`,
    );
  return withAudit(actor, what, async (transaction, audit) => {
    const [row] = await sequelizeOf().query<{ drift_thresholds: Record<string, unknown> }>(
      'SELECT drift_thresholds FROM models WHERE id = :modelId FOR UPDATE',
      { replacements: { modelId }, type: QueryTypes.SELECT, transaction },
    );
    if (!row) throw new NotFound('model.not_found', `There is no model #${modelId}: it may have been deleted.`);
    const next: Record<string, number> = {};
    for (const [key, value] of Object.entries(thresholdsOf(row.drift_thresholds)))
      if (row.drift_thresholds[key] !== undefined) next[key] = value;
    for (const [key, value] of Object.entries(parsed.data)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    await sequelizeOf().query('UPDATE models SET drift_thresholds = :next, updated_at = now() WHERE id = :modelId', {
      replacements: { modelId, next: JSON.stringify(next) },
      transaction,
    });
    // The stored reports were flagged by the old thresholds: drop them so the dashboard's tile never
    // shows a flag the model's thresholds no longer give (the next report view stores a fresh one).
    await sequelizeOf().query('DELETE FROM drift_reports WHERE model_id = :modelId', {
      replacements: { modelId },
      transaction,
    });
    const before = thresholdsOf(row.drift_thresholds);
    const after = thresholdsOf(next);
    audit.note({ recordIds: [modelId], before: { driftThresholds: before }, after: { driftThresholds: after } });
    return { thresholds: after, changed: next };
  });
}
