import { MlModel, ModelAlias, ModelVersion } from '../../models/index.js';
import { NotFound } from '../errors/domain-error.js';

/** The model with this name, or NotFound (`model.not_found`) saying where the names are. */
export async function findModelByName(name: string): Promise<MlModel> {
  const model = await MlModel.findOne({ where: { name } });
  if (!model)
    throw new NotFound(
      'model.not_found',
      `There is no model named "${name}"; check the name on the Models page (or GET /api/v1/models).`,
    );
  return model;
}

/** The model version a request means: `version` N, else the version `alias` (default production) points at. */
export async function resolveVersion(
  modelName: string,
  choice: { alias?: string; version?: number },
): Promise<{ model: MlModel; version: ModelVersion; alias: string | null }> {
  const model = await findModelByName(modelName);
  if (choice.version !== undefined) {
    const version = await ModelVersion.findOne({ where: { modelId: model.id, version: choice.version } });
    if (!version)
      throw new NotFound(
        'version.not_found',
        `Model "${model.name}" has no version ${choice.version}; its versions are listed on the model's page.`,
      );
    return { model, version, alias: null };
  }
  const alias = choice.alias ?? 'production';
  const pointer = await ModelAlias.findOne({ where: { modelId: model.id, alias } });
  if (!pointer)
    throw new NotFound(
      'alias.not_found',
      `Model "${model.name}" has no alias "${alias}": promote a version to it first, or choose a version number.`,
    );
  const version = (await ModelVersion.findByPk(pointer.versionId))!;
  return { model, version, alias };
}
