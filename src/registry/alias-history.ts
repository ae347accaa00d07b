import { AuditEvent, MlModel } from '../../models/index.js';

export interface AliasMove {
  at: Date;
  actor: string;
  fromVersion: number | null;
  toVersion: number;
  toVersionId: number;
  /** True when this move was a roll-back rather than a promotion. */
  rollback: boolean;
}

/**
 * Every move of a model's alias (or the latest `limit`), newest first, read from the audit log (the
 * single source of truth).
 */
export async function aliasHistory(modelId: number, alias: string, limit?: number): Promise<AliasMove[]> {
  const events = await AuditEvent.findAll({
    where: { action: 'model_aliases.promote', outcome: 'success', selection: { modelId, alias } },
    order: [['seq', 'DESC']],
    ...(limit === undefined ? {} : { limit }),
  });
  return events.map((e) => {
    const before = e.before as { version: number } | null;
    const after = e.after as { version: number; versionId: number; rollback?: boolean };
    return {
      at: e.at,
      actor: e.actorLabel,
      fromVersion: before?.version ?? null,
      toVersion: after.version,
      toVersionId: after.versionId,
      rollback: after.rollback === true,
    };
  });
}

/** An alias's history as its page shows it: the model's name (null when it is gone) and every move. */
export async function aliasPage(modelId: number, alias: string): Promise<{ model: string | null; moves: AliasMove[] }> {
  const [model, moves] = await Promise.all([
    MlModel.findByPk(modelId, { attributes: ['name'] }),
    aliasHistory(modelId, alias),
  ]);
  return { model: model?.name ?? null, moves };
}

/** What the alias pointed at, at time `at` (e.g. "what served production on 1 March"). */
export async function aliasAt(modelId: number, alias: string, at: Date): Promise<AliasMove | undefined> {
  return (await aliasHistory(modelId, alias)).find((move) => move.at <= at);
}
