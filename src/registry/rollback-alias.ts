import { ModelAlias } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { Conflict, NotFound } from '../errors/domain-error.js';
import { aliasHistory } from './alias-history.js';
import { promoteAlias, type PromoteResult } from './promote-alias.js';

/** Moves an alias back to the version it pointed at before its latest move (itself an audited promote). */
export async function rollbackAlias(actor: Actor, aliasId: number): Promise<PromoteResult> {
  const alias = await ModelAlias.findByPk(aliasId);
  if (!alias) throw new NotFound('alias.not_found', `Alias ${aliasId} does not exist.`);
  const [latest] = await aliasHistory(alias.modelId, alias.alias);
  if (!latest || latest.fromVersion === null || latest.toVersionId !== alias.versionId) {
    throw new Conflict('alias.no_previous', `"${alias.alias}" has no earlier version to roll back to: promote a version instead.`);
  }
  const previous = (await aliasHistory(alias.modelId, alias.alias)).find((move) => move.toVersion === latest.fromVersion);
  if (!previous) throw new Conflict('alias.no_previous', `The version "${alias.alias}" pointed at before is not in the audit log.`);
  return promoteAlias(actor, { versionId: previous.toVersionId, alias: alias.alias });
}
