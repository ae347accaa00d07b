import { Op, type WhereOptions } from 'sequelize';
import { DataRecord, Dataset, MlModel, ModelAlias, ModelVersion } from '../../models/index.js';

/** A model the console's scoring form offers, with its aliases and version numbers (newest first). */
export interface ScoreChoice {
  name: string;
  datasetId: number;
  /** The dataset's name and labels, for the form's choices (a label filter is a pick, not a guess). */
  datasetName: string;
  labels: string[];
  aliases: Array<{ alias: string; version: number }>;
  versions: number[];
}

/** Every model, for "Score all matching…". */
export const allScoreChoices = (): Promise<ScoreChoice[]> => scoreChoices({});

/** One model, for "Score dataset" on it. */
export const scoreChoicesOfModel = (modelId: number): Promise<ScoreChoice[]> => scoreChoices({ id: modelId });

/** The models that read the datasets of the ticked records. */
export async function scoreChoicesForRecords(recordIds: readonly number[]): Promise<ScoreChoice[]> {
  const datasets = await DataRecord.findAll({
    where: { id: { [Op.in]: [...recordIds] } },
    attributes: ['datasetId'],
    group: ['datasetId'],
  });
  return scoreChoices({ datasetId: { [Op.in]: datasets.map((d) => d.datasetId) } });
}

async function scoreChoices(where: WhereOptions<MlModel>): Promise<ScoreChoice[]> {
  const models = await MlModel.findAll({ where, order: [['name', 'ASC']] });
  const ids = models.map((m) => m.id);
  const [versions, aliases, datasets] = await Promise.all([
    ModelVersion.findAll({
      where: { modelId: { [Op.in]: ids } },
      attributes: ['id', 'modelId', 'version'],
      order: [['version', 'DESC']],
    }),
    ModelAlias.findAll({ where: { modelId: { [Op.in]: ids } }, order: [['alias', 'ASC']] }),
    Dataset.findAll({
      where: { id: { [Op.in]: [...new Set(models.map((m) => m.datasetId))] } },
      attributes: ['id', 'name', 'labels'],
    }),
  ]);
  return models.map((model) => ({
    name: model.name,
    datasetId: model.datasetId,
    datasetName: datasets.find((d) => d.id === model.datasetId)?.name ?? `dataset ${model.datasetId}`,
    labels: datasets.find((d) => d.id === model.datasetId)?.labels ?? [],
    versions: versions.filter((v) => v.modelId === model.id).map((v) => v.version),
    aliases: aliases
      .filter((a) => a.modelId === model.id)
      .map((a) => ({ alias: a.alias, version: versions.find((v) => v.id === a.versionId)?.version ?? 0 })),
  }));
}
