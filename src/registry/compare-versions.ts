import { ModelAlias, ModelVersion } from '../../models/index.js';

export interface VersionSummary {
  id: number;
  version: number;
  createdAt: string;
  trainer: string;
  aliases: string[];
  trainingRows: number | null;
  metrics: Record<string, unknown>;
  /** false when the fit stopped at its iteration cap; null when the version does not say (uploads, older versions). */
  converged: boolean | null;
}

/** Every version of a model with its metrics and current aliases, oldest first: what "Compare" shows. */
export async function compareVersions(modelId: number): Promise<VersionSummary[]> {
  const [versions, aliases] = await Promise.all([
    ModelVersion.findAll({ where: { modelId }, order: [['version', 'ASC']] }),
    ModelAlias.findAll({ where: { modelId } }),
  ]);
  return versions.map((v) => ({
    id: v.id,
    version: v.version,
    createdAt: v.createdAt.toISOString(),
    trainer: v.trainer,
    aliases: aliases
      .filter((a) => a.versionId === v.id)
      .map((a) => a.alias)
      .sort(),
    trainingRows: v.trainingSnapshot?.rowCount ?? null,
    metrics: v.metrics,
    converged: convergedOf(v.metrics),
  }));
}

function convergedOf(metrics: unknown): boolean | null {
  const converged = (metrics as { training?: { converged?: unknown } } | null)?.training?.converged;
  return typeof converged === 'boolean' ? converged : null;
}
