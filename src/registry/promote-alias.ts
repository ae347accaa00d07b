import * as z from 'zod';
import { MlModel, ModelAlias, ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { actorUserId } from '../access/predicates/actor-user-id.js';
import { withAudit } from '../audit/with-audit.js';
import { Forbidden, NotFound } from '../errors/domain-error.js';

/** What an alias may look like (the model_aliases check constraint says the same). */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

export const AliasName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    ALIAS_PATTERN,
    'aliases are lower case letters, digits, "-" and "_", starting with a letter (max 40), e.g. production',
  );

export const PromoteInput = z.object({
  versionId: z.coerce.number().int().positive(),
  alias: AliasName,
});
export type PromoteInput = z.input<typeof PromoteInput>;

export interface PromoteResult {
  model: string;
  alias: string;
  version: number;
  previousVersion: number | null;
}

/**
 * Points `alias` of the version's model at that version (creating the alias if needed). Audited as
 * model_aliases.promote with the previous and new version, which is what the alias history reads.
 */
export async function promoteAlias(
  actor: Actor,
  raw: PromoteInput,
  options: { rollback?: boolean } = {},
): Promise<PromoteResult> {
  const input = PromoteInput.parse(raw);
  return withAudit(actor, { action: 'model_aliases.promote', resource: 'modelAliases' }, async (transaction, audit) => {
    if (decide(actor, 'modelVersions', 'promote') !== true) {
      throw new Forbidden(
        'alias.promote_forbidden',
        'Your role may not move model aliases; ask a data scientist or an admin.',
      );
    }
    const version = await ModelVersion.findByPk(input.versionId, { transaction });
    if (!version) throw new NotFound('version.not_found', `Model version ${input.versionId} does not exist.`);
    const model = (await MlModel.findByPk(version.modelId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    const existing = await ModelAlias.findOne({
      where: { modelId: model.id, alias: input.alias },
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    const previous = existing ? await ModelVersion.findByPk(existing.versionId, { transaction }) : null;
    const updatedById = actorUserId(actor) ?? null;
    const alias = existing
      ? await existing.update({ versionId: version.id, updatedById }, { transaction })
      : await ModelAlias.create(
          { modelId: model.id, alias: input.alias, versionId: version.id, updatedById },
          { transaction },
        );
    audit.note({
      recordIds: [alias.id],
      selection: { model: model.name, modelId: model.id, alias: input.alias },
      before: previous ? { versionId: previous.id, version: previous.version } : null,
      after: { versionId: version.id, version: version.version, ...(options.rollback ? { rollback: true } : {}) },
    });
    return {
      model: model.name,
      alias: input.alias,
      version: version.version,
      previousVersion: previous?.version ?? null,
    };
  });
}
