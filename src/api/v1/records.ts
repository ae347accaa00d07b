import { Op, literal, type Includeable, type Order, type WhereOptions } from 'sequelize';
import * as z from 'zod';
import { DataRecord } from '../../../models/index.js';
import { RecordPrediction } from '../../../models/record-prediction.js';
import { NotFound } from '../../errors/domain-error.js';
import { enqueueJob } from '../../jobs/enqueue-job.js';
import {
  applyBulkEdit,
  BULK_EDIT_JOB_THRESHOLD,
  BulkEditRequest,
  checkBulkEdit,
  previewBulkEdit,
} from '../../records/bulk-edit.js';
import { explainingDeletion } from '../../records/deleted-record.js';
import { predictionWhere } from '../../records/prediction-where.js';
import {
  startsWithUncertain,
  uncertainPageIsComplete,
  UNCERTAIN_CONDITION,
  type UncertaintyColumn,
} from '../../records/uncertain-predictions.js';
import { RecordFilter, selectionWhere } from '../../records/record-selection.js';
import { createRecord, deleteRecord, NewRecord, RecordFields, updateRecord } from '../../records/save-record.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { IdParam, PageQuery, pageOf } from '../schemas.js';
import { RecordSchema } from './resource-schemas.js';
import { page, recordJson } from './serialize.js';

const optionalRange = (max: number) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce
      .number({ error: `a number from 0 to ${max}` })
      .min(0)
      .max(max)
      .optional(),
  );

const RecordListQuery = PageQuery.extend({
  datasetId: RecordFilter.shape.datasetId.meta({ description: "Only this dataset's records." }),
  split: RecordFilter.shape.split,
  label: RecordFilter.shape.label.meta({ description: 'Human label equals.' }),
  predictedLabel: RecordFilter.shape.predictedLabel.meta({ description: 'Latest prediction equals.' }),
  tag: RecordFilter.shape.tag.meta({ description: 'Carries this tag.' }),
  text: RecordFilter.shape.text.meta({ description: 'Text contains (case-insensitive; trigram-indexed).' }),
  updatedSince: z.coerce
    .date({ error: 'a date, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' })
    .optional()
    .meta({ description: 'Changed at or after this time.' }),
  scoredByVersionId: RecordFilter.shape.scoredByVersionId.meta({
    description: 'Latest prediction made by this model version (needed to order by margin or entropy).',
  }),
  marginFrom: optionalRange(1).meta({ description: 'Prediction margin (top-1 − top-2 probability) at least.' }),
  marginTo: optionalRange(1).meta({ description: 'Prediction margin at most, e.g. 0.1 for the unsure ones.' }),
  entropyFrom: optionalRange(100).meta({ description: 'Prediction entropy (nats) at least.' }),
  entropyTo: optionalRange(100).meta({ description: 'Prediction entropy (nats) at most.' }),
  order: z.enum(['id', '-id', 'margin', '-margin', 'entropy', '-entropy']).default('id').meta({
    description:
      'By id (`id` ascending, `-id` descending), or by the prediction of `scoredByVersionId`: `margin` is least certain first, `-entropy` highest entropy first (ties by id). `after` continues in that order.',
  }),
}).superRefine((query, context) => {
  if (!query.order.endsWith('id') && query.scoredByVersionId === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['scoredByVersionId'],
      message: `order=${query.order} needs scoredByVersionId: margins and entropies of two model versions do not compare`,
    });
  }
});

const withPrediction = { model: RecordPrediction, as: 'prediction', required: false } as const;

/**
 * A page ordered by the prediction of one version ("least certain first"), from the `after` record's
 * place (a row comparison: an index condition), with ties by id; the filters probe each record (no id
 * bound: the order is not by id). `uncertainOnly`: read from the uncertain predictions alone, down the
 * partial index (src/records/uncertain-predictions.ts says when that page is the whole one).
 */
function byPredictionPage(
  column: UncertaintyColumn,
  direction: 'ASC' | 'DESC',
  version: number,
  after: number | undefined,
  uncertainOnly: boolean,
): { include: Includeable[]; order: Order } {
  const where: WhereOptions[] = [{ modelVersionId: version }, { [column]: { [Op.ne]: null } }];
  if (uncertainOnly) where.push(literal(`"prediction".${UNCERTAIN_CONDITION}`));
  if (after !== undefined) {
    const comparison = direction === 'ASC' ? '>' : '<';
    where.push(
      literal(
        `("prediction"."${column}", "prediction"."record_id") ${comparison} (SELECT ${column}, record_id FROM record_predictions WHERE record_id = ${Number(after)} AND model_version_id = ${Number(version)})`,
      ),
    );
  }
  return {
    include: [{ ...withPrediction, required: true, where: { [Op.and]: where } }],
    order: [
      [{ model: RecordPrediction, as: 'prediction' }, column, direction],
      [{ model: RecordPrediction, as: 'prediction' }, 'recordId', direction],
    ],
  };
}

/**
 * A write's body is checked by the service it goes to (the console's path too), so both answer the
 * same error codes and an invalid body is audited like any refused write; the route's `body` schema
 * is the same one, for the OpenAPI document.
 */
const checkedByService = async <T>(raw: unknown) => raw as T;

/** Records: keyset-paginated lists with the console's filters; writes with the console's rules and audit. */
export function addRecordRoutes(api: ApiVersion): void {
  api.add({
    method: 'get',
    path: '/records',
    tag: 'Records',
    access: { scope: 'records:read', resource: 'records', action: 'list' },
    summary: 'List records',
    description:
      'Filters combine (AND). Pages follow the id order: pass `nextAfter` as `after`. Deleted records are not listed.',
    query: RecordListQuery,
    responses: { 200: { description: 'A page of records.', schema: pageOf(RecordSchema) } },
    handler: async ({ query }) => {
      const { limit, after, order, updatedSince, marginFrom, marginTo, entropyFrom, entropyTo, ...filter } = query;
      const byId = order === 'id' || order === '-id';
      const walk = byId ? 'down' : 'none';
      const uncertainty = { marginFrom, marginTo, entropyFrom, entropyTo };
      const where: WhereOptions = {
        [Op.and]: [
          selectionWhere({ filter }, walk),
          ...(Object.values(uncertainty).some((v) => v !== undefined) ? [predictionWhere(uncertainty, walk)] : []),
          ...(updatedSince ? [{ updatedAt: { [Op.gte]: updatedSince } }] : []),
          ...(byId && after !== undefined ? [{ id: order === 'id' ? { [Op.gt]: after } : { [Op.lt]: after } }] : []),
        ],
      };
      if (byId) {
        const rows = await DataRecord.findAll({
          where,
          include: [withPrediction],
          order: [['id', order === 'id' ? 'ASC' : 'DESC']],
          limit: limit + 1,
        });
        return page(rows.map(recordJson), limit);
      }
      const column: UncertaintyColumn = order.endsWith('margin') ? 'margin' : 'entropy';
      const direction = order.startsWith('-') ? 'DESC' : 'ASC';
      const version = filter.scoredByVersionId ?? 0; // required with this order (the query's refinement)
      const read = (uncertainOnly: boolean) =>
        DataRecord.findAll({
          where,
          ...byPredictionPage(column, direction, version, after, uncertainOnly),
          limit: limit + 1,
        }) as Promise<Array<DataRecord & { prediction: RecordPrediction }>>;
      if (startsWithUncertain(column, direction)) {
        const rows = await read(true);
        const complete = uncertainPageIsComplete(
          column,
          rows.map((r) => r.prediction),
          limit + 1,
        );
        if (complete) return page(rows.map(recordJson), limit);
      }
      return page((await read(false)).map(recordJson), limit);
    },
  });

  api.add({
    method: 'get',
    path: '/records/{id}',
    tag: 'Records',
    access: { scope: 'records:read', resource: 'records', action: 'show' },
    summary: 'Read a record',
    params: IdParam,
    responses: {
      200: { description: 'The record and its latest prediction.', schema: RecordSchema },
      410: { description: 'The record was deleted (soft): the problem says when, by whom and how to restore it.' },
    },
    handler: async ({ params }, _req, res) =>
      explainingDeletion(callerOf(res).actor, params.id, async () => {
        const record = await DataRecord.findByPk(params.id, { include: [withPrediction] });
        if (!record) throw new NotFound('record.not_found', `There is no record ${params.id}.`);
        return recordJson(record);
      }),
  });

  api.add({
    method: 'post',
    path: '/records',
    tag: 'Records',
    access: { scope: 'records:write', resource: 'records', action: 'new' },
    refusedAs: () => ({ action: 'records.create' }),
    summary: 'Create a record',
    description:
      "Text for a text dataset, features fitting the schema for a tabular one; the label must be one of the dataset's labels. Audited.",
    body: NewRecord,
    parseBody: checkedByService<NewRecord>,
    responses: { 201: { description: 'The new record.', schema: RecordSchema } },
    handler: async ({ body }, _req, res) => {
      const record = await createRecord(callerOf(res).actor, body);
      res.location(`/api/v1/records/${record.id}`);
      return recordJson(record);
    },
  });

  api.add({
    method: 'patch',
    path: '/records/{id}',
    tag: 'Records',
    access: { scope: 'records:write', resource: 'records', action: 'edit' },
    refusedAs: ({ params }) => ({ action: 'records.update', recordIds: [params.id] }),
    summary: 'Change a record',
    description:
      "Only the fields given change, and only those the caller's role may change (data scientists: label); a field given with the value it has is no change. A number feature takes a number or a string holding one; an empty string is no value. Audited with the diff.",
    params: IdParam,
    body: RecordFields,
    parseBody: checkedByService<RecordFields>,
    responses: { 200: { description: 'The changed record.', schema: RecordSchema } },
    handler: async ({ params, body }, _req, res) => {
      const actor = callerOf(res).actor;
      const record = await explainingDeletion(actor, params.id, () => updateRecord(actor, params.id, body));
      return recordJson((await DataRecord.findByPk(record.id, { include: [withPrediction] }))!);
    },
  });

  api.add({
    method: 'delete',
    path: '/records/{id}',
    tag: 'Records',
    access: { scope: 'records:write', resource: 'records', action: 'delete' },
    refusedAs: ({ params }) => ({ action: 'records.delete', recordIds: [params.id] }),
    summary: 'Delete a record (soft)',
    description:
      'A soft delete: the record leaves lists, exports and training but keeps its values, history and audit trail; an admin can restore it in the console ("Deleted records" on Records). Audited.',
    params: IdParam,
    responses: {
      204: { description: 'Deleted.' },
      410: { description: 'Deleted already: the problem says when and by whom.' },
    },
    handler: async ({ params }, _req, res) => {
      const actor = callerOf(res).actor;
      await explainingDeletion(actor, params.id, () => deleteRecord(actor, params.id));
      res.status(204).end();
      return undefined;
    },
  });

  api.add({
    method: 'patch',
    path: '/records',
    tag: 'Records',
    access: { scope: 'records:write', resource: 'records', action: 'bulkEdit' },
    refusedAs: () => ({ action: 'records.bulk_update' }),
    summary: 'Edit many records at once',
    description:
      "Sets the label or split, adds or removes tags, on the listed records or on all matching a filter: the console's bulk edit, with its rules (data scientists: label only; a label from each record's dataset, else nothing is changed). Above 5,000 changing records it runs as a job (202 with the job). One audit event.",
    body: BulkEditRequest,
    parseBody: checkedByService<BulkEditRequest>,
    responses: {
      200: {
        description: 'How many records matched and how many changed, and the change-set that can revert it.',
        schema: z.object({ matching: z.number().int(), changed: z.number().int(), changeSetId: z.number().int() }),
      },
      202: {
        description: 'Queued as a job: follow it at /api/v1/jobs/{jobId}.',
        schema: z.object({ matching: z.number().int(), jobId: z.number().int() }),
      },
    },
    handler: async ({ body }, _req, res) => {
      const actor = callerOf(res).actor;
      const raw = (body ?? {}) as { selection?: unknown; changes?: unknown };
      const { selection, changes } = await checkBulkEdit(actor, { selection: raw.selection, changes: raw.changes });
      const preview = await previewBulkEdit(actor, selection, changes);
      if (preview.changing > BULK_EDIT_JOB_THRESHOLD && !preview.invalid) {
        const job = await enqueueJob(actor, 'bulk_edit', { selection, changes });
        res.status(202).json({ matching: preview.matching, jobId: job.id });
        return undefined;
      }
      return applyBulkEdit(actor, selection, changes);
    },
  });
}
