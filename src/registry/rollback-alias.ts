import { MlModel, ModelAlias, ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { Conflict, NotFound } from '../errors/domain-error.js';
import { aliasHistory } from './alias-history.js';
import { promoteAlias, type PromoteResult } from './promote-alias.js';

/** What rolling an alias back would do: the alias of which model moves from one version to another. */
export interface RollbackPlan {
  model: string;
  alias: string;
  fromVersion: number;
  toVersion: number;
  toVersionId: number;
}

/**
 * Where a roll-back would move the alias, without moving it (the confirmation page says it). Repeated
 * roll-backs keep walking back (v3 → v2 → v1), like an undo stack: promotions push, roll-backs pop,
 * and re-promoting the version already served changes nothing.
 */
export async function planRollback(aliasId: number): Promise<RollbackPlan> {
  const alias = await ModelAlias.findByPk(aliasId);
  if (!alias) throw new NotFound('alias.not_found', `Alias ${aliasId} does not exist.`);
  const stack: number[] = [];
  for (const move of (await aliasHistory(alias.modelId, alias.alias)).reverse()) {
    if (move.rollback) stack.pop();
    else if (stack.at(-1) !== move.toVersionId) stack.push(move.toVersionId);
  }
  if (stack.at(-1) !== alias.versionId) {
    throw new Conflict(
      'alias.history_mismatch',
      `"${alias.alias}" was changed outside the audited path; promote a version explicitly instead.`,
    );
  }
  const target = stack.at(-2);
  if (target === undefined)
    throw new Conflict(
      'alias.no_previous',
      `"${alias.alias}" has no earlier version to roll back to: promote a version instead.`,
    );
  const [model, versions] = await Promise.all([
    MlModel.findByPk(alias.modelId, { attributes: ['name'] }),
    ModelVersion.findAll({ where: { id: [alias.versionId, target] }, attributes: ['id', 'version'] }),
  ]);
  const numberOf = (id: number) => versions.find((v) => v.id === id)!.version;
  return {
    model: model!.name,
    alias: alias.alias,
    fromVersion: numberOf(alias.versionId),
    toVersion: numberOf(target),
    toVersionId: target,
  };
}

/** Moves an alias back to the version it served before the promotion that put the current one there. */
export async function rollbackAlias(actor: Actor, aliasId: number): Promise<PromoteResult> {
  const plan = await planRollback(aliasId);
  return promoteAlias(actor, { versionId: plan.toVersionId, alias: plan.alias }, { rollback: true });
}
