import { Op } from 'sequelize';
import { Dataset } from '../../../models/index.js';
import { DatasetTask } from '../../../models/enums.js';
import { NotFound } from '../../errors/domain-error.js';
import type { ApiVersion } from '../route.js';
import { IdParam, PageQuery, pageOf } from '../schemas.js';
import { DatasetSchema } from './resource-schemas.js';
import { datasetJson, page } from './serialize.js';

/** Datasets: read only (they are created with their data by import or seed). */
export function addDatasetRoutes(api: ApiVersion): void {
  api.add({
    method: 'get',
    path: '/datasets',
    tag: 'Datasets',
    access: { scope: 'records:read', resource: 'datasets', action: 'list' },
    summary: 'List datasets',
    query: PageQuery.extend({ task: DatasetTask.optional() }),
    responses: { 200: { description: 'A page of datasets, by id.', schema: pageOf(DatasetSchema) } },
    handler: async ({ query }) => {
      const rows = await Dataset.findAll({
        where: {
          ...(query.after ? { id: { [Op.gt]: query.after } } : {}),
          ...(query.task ? { task: query.task } : {}),
        },
        order: [['id', 'ASC']],
        limit: query.limit + 1,
      });
      return page(rows.map(datasetJson), query.limit);
    },
  });

  api.add({
    method: 'get',
    path: '/datasets/{id}',
    tag: 'Datasets',
    access: { scope: 'records:read', resource: 'datasets', action: 'show' },
    summary: 'Read a dataset',
    params: IdParam,
    responses: { 200: { description: 'The dataset, with its labels and feature schema.', schema: DatasetSchema } },
    handler: async ({ params }) => {
      const dataset = await Dataset.findByPk(params.id);
      if (!dataset)
        throw new NotFound('dataset.not_found', `There is no dataset ${params.id}: GET /api/v1/datasets lists them.`);
      return datasetJson(dataset);
    },
  });
}
