import { Op, type WhereOptions } from 'sequelize';
import * as z from 'zod';
import { DataRecord } from '../../../models/index.js';
import { RecordPrediction } from '../../../models/record-prediction.js';
import { NotFound } from '../../errors/domain-error.js';
import { RecordFilter, selectionWhere } from '../../records/record-selection.js';
import { createRecord, deleteRecord, NewRecord, RecordFields, updateRecord } from '../../records/save-record.js';
import { authorize, callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { IdParam, PageQuery, pageOf } from '../schemas.js';
import { RecordSchema } from './resource-schemas.js';
import { page, recordJson } from './serialize.js';

const RecordListQuery = PageQuery.extend({
  datasetId: RecordFilter.shape.datasetId.meta({ description: 'Only this dataset\'s records.' }),
  split: RecordFilter.shape.split,
  label: RecordFilter.shape.label.meta({ description: 'Human label equals.' }),
  predictedLabel: RecordFilter.shape.predictedLabel.meta({ description: 'Latest prediction equals.' }),
  tag: RecordFilter.shape.tag.meta({ description: 'Carries this tag.' }),
  text: RecordFilter.shape.text.meta({ description: 'Text contains (case-insensitive; trigram-indexed).' }),
  updatedSince: z.coerce.date({ error: 'a date, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' }).optional().meta({ description: 'Changed at or after this time.' }),
  order: z.enum(['id', '-id']).default('id').meta({ description: 'By id, ascending (`id`) or descending (`-id`); `after` continues in that order.' }),
});

const withPrediction = { model: RecordPrediction, as: 'prediction', required: false } as const;

/** Records: keyset-paginated lists with the console's filters; writes with the console's rules and audit. */
export function addRecordRoutes(api: ApiVersion): void {
  api.add({
    method: 'get',
    path: '/records',
    tag: 'Records',
    scope: 'records:read',
    summary: 'List records',
    description: 'Filters combine (AND). Pages follow the id order: pass `nextAfter` as `after`. Deleted records are not listed.',
    query: RecordListQuery,
    responses: { 200: { description: 'A page of records.', schema: pageOf(RecordSchema) } },
    handler: async ({ query }, _req, res) => {
      authorize(res, 'records:read', 'records', 'list');
      const { limit, after, order, updatedSince, ...filter } = query;
      const where: WhereOptions = {
        [Op.and]: [
          selectionWhere({ filter }),
          ...(updatedSince ? [{ updatedAt: { [Op.gte]: updatedSince } }] : []),
          ...(after !== undefined ? [{ id: order === 'id' ? { [Op.gt]: after } : { [Op.lt]: after } }] : []),
        ],
      };
      const rows = await DataRecord.findAll({ where, include: [withPrediction], order: [['id', order === 'id' ? 'ASC' : 'DESC']], limit: limit + 1 });
      return page(rows.map(recordJson), limit);
    },
  });

  api.add({
    method: 'get',
    path: '/records/{id}',
    tag: 'Records',
    scope: 'records:read',
    summary: 'Read a record',
    params: IdParam,
    responses: { 200: { description: 'The record and its latest prediction.', schema: RecordSchema } },
    handler: async ({ params }, _req, res) => {
      authorize(res, 'records:read', 'records', 'show');
      const record = await DataRecord.findByPk(params.id, { include: [withPrediction] });
      if (!record) throw new NotFound('record.not_found', `There is no record ${params.id} (or it was deleted).`);
      return recordJson(record);
    },
  });

  api.add({
    method: 'post',
    path: '/records',
    tag: 'Records',
    scope: 'records:write',
    summary: 'Create a record',
    description: 'Text for a text dataset, features fitting the schema for a tabular one; the label must be one of the dataset\'s labels. Audited.',
    body: NewRecord,
    responses: { 201: { description: 'The new record.', schema: RecordSchema } },
    handler: async ({ body }, _req, res) => {
      authorize(res, 'records:write', 'records', 'new');
      const record = await createRecord(callerOf(res).actor, body);
      res.location(`/api/v1/records/${record.id}`);
      return recordJson(record);
    },
  });

  api.add({
    method: 'patch',
    path: '/records/{id}',
    tag: 'Records',
    scope: 'records:write',
    summary: 'Change a record',
    description: 'Only the fields given change, and only those the caller\'s role may change (data scientists: label). Audited with the diff.',
    params: IdParam,
    body: RecordFields,
    responses: { 200: { description: 'The changed record.', schema: RecordSchema } },
    handler: async ({ params, body }, _req, res) => {
      authorize(res, 'records:write', 'records', 'edit');
      const record = await updateRecord(callerOf(res).actor, params.id, body);
      return recordJson((await DataRecord.findByPk(record.id, { include: [withPrediction] }))!);
    },
  });

  api.add({
    method: 'delete',
    path: '/records/{id}',
    tag: 'Records',
    scope: 'records:write',
    summary: 'Delete a record (soft)',
    description: 'Hidden from lists and training; an admin can restore it from the console. Audited.',
    params: IdParam,
    responses: { 204: { description: 'Deleted.' } },
    handler: async ({ params }, _req, res) => {
      authorize(res, 'records:write', 'records', 'delete');
      await deleteRecord(callerOf(res).actor, params.id);
      res.status(204).end();
      return undefined;
    },
  });
}
