import { ModelAlias } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { Conflict, NotFound } from '../errors/domain-error.js';
import { aliasHistory } from './alias-history.js';
import { promoteAlias, type PromoteResult } from './promote-alias.js';

/**
 * Moves an alias back to the version it served before the promotion that put the current one there.
 * Repeated roll-backs keep walking back (v3 → v2 → v1), like an undo stack: promotions push,
 * roll-backs pop, and re-promoting the version already served changes nothing.
 */
export async function rollbackAlias(actor: Actor, aliasId: number): Promise<PromoteResult> {
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
  return promoteAlias(actor, { versionId: target, alias: alias.alias }, { rollback: true });
}
