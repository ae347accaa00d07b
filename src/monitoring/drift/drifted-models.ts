import { QueryTypes, type Sequelize } from 'sequelize';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';

export interface DriftedModels {
  /** Models whose last computed drift report (of any version) said drifted. */
  drifted: Array<{ modelId: number; name: string; version: number; computedAt: string; reasons: string[] }>;
  /** Models with a computed report at all. */
  checked: number;
}

/**
 * The dashboard's "Drifted models" tile: the last drift report computed per model (stored by
 * driftReport, so the home page never recomputes one), null for a role without models.drift.
 */
export async function driftedModels(actor: Actor, sequelize: Sequelize): Promise<DriftedModels | null> {
  if (decide(actor, 'models', 'drift') !== true) return null;
  const rows = await sequelize.query<{
    model_id: number;
    name: string;
    version: number;
    drifted: boolean;
    computed_at: Date;
    reasons: string[] | null;
  }>(
    `SELECT DISTINCT ON (d.model_id) d.model_id, m.name, v.version, d.drifted, d.computed_at, d.report -> 'reasons' AS reasons
       FROM drift_reports d JOIN models m ON m.id = d.model_id JOIN model_versions v ON v.id = d.model_version_id
      ORDER BY d.model_id, d.computed_at DESC`,
    { type: QueryTypes.SELECT },
  );
  return {
    checked: rows.length,
    drifted: rows
      .filter((r) => r.drifted)
      .map((r) => ({
        modelId: r.model_id,
        name: r.name,
        version: r.version,
        computedAt: new Date(r.computed_at).toISOString(),
        reasons: r.reasons ?? [],
      })),
  };
}
