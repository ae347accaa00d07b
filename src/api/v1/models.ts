import { Op } from 'sequelize';
import * as z from 'zod';
import { MlModel, ModelAlias, ModelVersion } from '../../../models/index.js';
import { NotFound } from '../../errors/domain-error.js';
import { AliasName, promoteAlias } from '../../registry/promote-alias.js';
import { findModelByName } from '../../registry/resolve-version.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { NameParam, PageQuery, pageOf } from '../schemas.js';
import { ModelSchema, VersionSchema } from './resource-schemas.js';
import { modelJson, page, versionJson } from './serialize.js';

async function aliasesOf(modelIds: readonly number[]): Promise<Map<number, Record<string, number>>> {
  const rows = await ModelAlias.findAll({
    where: { modelId: { [Op.in]: [...modelIds] } },
    include: [{ model: ModelVersion, as: 'version', attributes: ['version'] }],
  });
  const out = new Map<number, Record<string, number>>(modelIds.map((id) => [id, {}]));
  for (const row of rows)
    out.get(row.modelId)![row.alias] = (row as ModelAlias & { version: ModelVersion }).version.version;
  return out;
}

/** Models and their versions (read), and promotion of a version to an alias. */
export function addModelRoutes(api: ApiVersion): void {
  api.add({
    method: 'get',
    path: '/models',
    tag: 'Models',
    access: { scope: 'predict', resource: 'models', action: 'predict' },
    summary: 'List models',
    description: 'With the version each alias points at. Any key may list what it can call.',
    query: PageQuery,
    responses: { 200: { description: 'A page of models, by id.', schema: pageOf(ModelSchema) } },
    handler: async ({ query }) => {
      const rows = await MlModel.findAll({
        where: query.after ? { id: { [Op.gt]: query.after } } : {},
        order: [['id', 'ASC']],
        limit: query.limit + 1,
      });
      const aliases = await aliasesOf(rows.map((m) => m.id));
      return page(
        rows.map((m) => modelJson(m, aliases.get(m.id)!)),
        query.limit,
      );
    },
  });

  api.add({
    method: 'get',
    path: '/models/{name}',
    tag: 'Models',
    access: { scope: 'predict', resource: 'models', action: 'predict' },
    summary: 'Read a model',
    params: NameParam,
    responses: { 200: { description: 'The model and its aliases.', schema: ModelSchema } },
    handler: async ({ params }) => {
      const model = await findModelByName(params.name);
      return modelJson(model, (await aliasesOf([model.id])).get(model.id)!);
    },
  });

  api.add({
    method: 'get',
    path: '/models/{name}/versions',
    tag: 'Models',
    access: { scope: 'predict', resource: 'models', action: 'predict' },
    summary: "List a model's versions",
    description: 'Newest first, with their evaluation metrics.',
    params: NameParam,
    query: PageQuery,
    responses: { 200: { description: 'A page of versions.', schema: pageOf(VersionSchema) } },
    handler: async ({ params, query }) => {
      const model = await findModelByName(params.name);
      const rows = await ModelVersion.findAll({
        where: { modelId: model.id, ...(query.after ? { id: { [Op.lt]: query.after } } : {}) },
        order: [['id', 'DESC']],
        limit: query.limit + 1,
      });
      return page(rows.map(versionJson), query.limit);
    },
  });

  api.add({
    method: 'patch',
    path: '/models/{name}/aliases/{alias}',
    tag: 'Models',
    access: { scope: 'models:write', resource: 'modelVersions', action: 'promote' },
    summary: 'Point an alias at a version (promote)',
    description:
      'Creates the alias if needed. Every web process serves the new version within a second. Audited; the alias history in the console shows it.',
    params: NameParam.extend({ alias: AliasName }),
    body: z.object({ version: z.number().int().positive('a version number') }).strict(),
    responses: {
      200: {
        description: 'Where the alias points now, and where it pointed before.',
        schema: z.object({
          model: z.string(),
          alias: z.string(),
          version: z.number().int(),
          previousVersion: z.number().int().nullable(),
        }),
      },
    },
    handler: async ({ params, body }, _req, res) => {
      const model = await findModelByName(params.name);
      const version = await ModelVersion.findOne({
        where: { modelId: model.id, version: body.version },
        attributes: ['id'],
      });
      if (!version)
        throw new NotFound(
          'version.not_found',
          `Model "${model.name}" has no version ${body.version}: GET /api/v1/models/${model.name}/versions lists them.`,
        );
      return promoteAlias(callerOf(res).actor, { versionId: version.id, alias: params.alias });
    },
  });
}
