import type { MlModel } from '../../models/index.js';
import { ModelAlias, ModelVersion } from '../../models/index.js';
import type { PromotionMetric } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { withAudit } from '../audit/with-audit.js';
import { notConvergedWarning, unconvergedFit, type UnconvergedFit } from '../ml/training-convergence.js';
import { promoteAlias } from './promote-alias.js';

export const PRODUCTION_ALIAS = 'production';

export interface PromotionDecision {
  promoted: boolean;
  metric: PromotionMetric;
  margin: number;
  candidate: { version: number; value: number | null };
  production: { version: number; value: number | null } | null;
  reason: string;
}

/**
 * After a retrain that asked for it: moves `production` to the new version only if its fit converged
 * (`metrics.training.converged` is not false) and it beats the current production version on the
 * model's metric by at least its margin (or nothing serves production yet). The decision is recorded in the audit log either way (models.auto_promote); a
 * promotion is also the usual model_aliases.promote event, so the alias history shows it.
 */
export async function autoPromote(actor: Actor, model: MlModel, candidate: ModelVersion): Promise<PromotionDecision> {
  const metric: PromotionMetric = model.autoPromoteMetric ?? 'accuracy';
  const margin = model.autoPromoteMargin ?? 0;
  const alias = await ModelAlias.findOne({ where: { modelId: model.id, alias: PRODUCTION_ALIAS } });
  const current = alias ? await ModelVersion.findByPk(alias.versionId) : null;
  const decision = judge(
    metric,
    margin,
    { version: candidate.version, value: metricOf(candidate, metric) },
    current && { version: current.version, value: metricOf(current, metric) },
    unconvergedFit(candidate.metrics),
  );
  if (decision.promoted) await promoteAlias(actor, { versionId: candidate.id, alias: PRODUCTION_ALIAS });
  await withAudit(actor, { action: 'models.auto_promote', resource: 'models' }, async (_transaction, audit) => {
    audit.note({
      recordIds: [model.id],
      selection: { model: model.name, candidateVersionId: candidate.id },
      after: decision,
    });
  });
  return decision;
}

function judge(
  metric: PromotionMetric,
  margin: number,
  candidate: PromotionDecision['candidate'],
  production: PromotionDecision['production'],
  unconverged: UnconvergedFit | null,
): PromotionDecision {
  const base = { metric, margin, candidate, production };
  // Its metrics describe a half-finished fit: beating production on them proves nothing.
  if (unconverged)
    return {
      ...base,
      promoted: false,
      reason: `v${candidate.version} is not promoted, production left as it is. ${notConvergedWarning(unconverged)}`,
    };
  if (candidate.value === null)
    return {
      ...base,
      promoted: false,
      reason: `v${candidate.version} has no ${metric} (no labelled test rows?): production left as it is.`,
    };
  if (!production)
    return { ...base, promoted: true, reason: `nothing served production yet: v${candidate.version} promoted.` };
  if (production.value === null)
    return {
      ...base,
      promoted: true,
      reason: `production v${production.version} has no ${metric} to compare: v${candidate.version} promoted.`,
    };
  const gain = candidate.value - production.value;
  const shown = (value: number) => value.toFixed(4);
  return gain >= margin
    ? {
        ...base,
        promoted: true,
        reason: `${metric} ${shown(candidate.value)} beats production v${production.version} (${shown(production.value)}) by ${shown(gain)} ≥ margin ${margin}: promoted.`,
      }
    : {
        ...base,
        promoted: false,
        reason: `${metric} ${shown(candidate.value)} vs production v${production.version} (${shown(production.value)}): gain ${shown(gain)} < margin ${margin}, production kept.`,
      };
}

function metricOf(version: ModelVersion, metric: PromotionMetric): number | null {
  const value = (version.metrics as Record<string, unknown> | null)?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
