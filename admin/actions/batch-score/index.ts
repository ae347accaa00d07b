import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { Op } from 'sequelize';
import { DataRecord, MlModel, ModelAlias, ModelVersion } from '../../../models/index.js';
import type { RecordSelection } from '../../../src/records/record-selection.js';
import { planScoring, queueScoring } from '../../../src/scoring/queue-scoring.js';
import type { ScoreInput } from '../../../src/scoring/score-input.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

const FILTER_FIELDS = ['split', 'label', 'predictedLabel', 'tag', 'text'] as const;

/** A model the form offers, with its aliases and version numbers. */
export interface ScoreChoice {
  name: string;
  datasetId: number;
  aliases: Array<{ alias: string; version: number }>;
  versions: number[];
}

async function choices(where: { datasetId?: number[]; id?: number } = {}): Promise<ScoreChoice[]> {
  const models = await MlModel.findAll({
    where: { ...(where.datasetId ? { datasetId: { [Op.in]: where.datasetId } } : {}), ...(where.id ? { id: where.id } : {}) },
    order: [['name', 'ASC']],
  });
  const ids = models.map((m) => m.id);
  const [versions, aliases] = await Promise.all([
    ModelVersion.findAll({ where: { modelId: { [Op.in]: ids } }, attributes: ['id', 'modelId', 'version'], order: [['version', 'DESC']] }),
    ModelAlias.findAll({ where: { modelId: { [Op.in]: ids } }, order: [['alias', 'ASC']] }),
  ]);
  return models.map((model) => ({
    name: model.name,
    datasetId: model.datasetId,
    versions: versions.filter((v) => v.modelId === model.id).map((v) => v.version),
    aliases: aliases.filter((a) => a.modelId === model.id).map((a) => ({ alias: a.alias, version: versions.find((v) => v.id === a.versionId)?.version ?? 0 })),
  }));
}

/**
 * POST { model, alias | version, mode: 'preview' | 'apply' }: preview says which version and how many
 * records; apply queues the scoring job and opens its live progress page.
 */
async function run(request: ActionRequest, context: ActionContext, selection: RecordSelection | undefined, model: string): Promise<ActionResponse> {
  const actor = actorOf(context.currentAdmin);
  const payload = request.payload ?? {};
  const input: ScoreInput = { model, alias: payload.alias, version: payload.version, ...(selection ? { selection } : {}) };
  if (payload.mode !== 'apply') {
    const { params, matching } = await planScoring(actor, input);
    return { preview: { matching, model: params.model, version: params.version, alias: params.alias } };
  }
  const { job, params, matching } = await queueScoring(actor, input);
  return {
    notice: { type: 'success', message: `Scoring ${matching.toLocaleString('en')} records with ${params.model} v${params.version}: job ${job.id}, follow its progress here.` },
    redirectUrl: context.h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
  };
}

const withRecords = (context: ActionContext) => ({ records: (context.records ?? []).map((record) => record.toJSON(context.currentAdmin)) });

/** "Score with model…" on the records ticked in the list: models of their datasets are offered. */
export const scoreRecordsAction: Partial<Action<ActionResponse>> = {
  actionType: 'bulk',
  icon: 'Activity',
  component: Components.ScoreForm,
  handler: actionHandler(async (request, _response, context) => {
    const ids = (context.records ?? []).map((record) => Number(record.id()));
    if (request.method !== 'post') {
      const datasets = await DataRecord.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['datasetId'], group: ['datasetId'] });
      return { ...withRecords(context), models: await choices({ datasetId: datasets.map((d) => d.datasetId) }) };
    }
    return { ...withRecords(context), ...(await run(request, context, { ids }, String(request.payload?.model ?? ''))) };
  }),
};

/** "Score all matching…": every record matching a filter (the list's filters to start with), within the model's dataset. */
export const scoreMatchingAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Activity',
  component: Components.ScoreForm,
  handler: actionHandler(async (request, _response, context) => {
    if (request.method !== 'post') return { models: await choices() };
    const payload = request.payload ?? {};
    const filter = Object.fromEntries(FILTER_FIELDS.map((f) => [f, payload[`filter.${f}`]]));
    return run(request, context, { filter }, String(payload.model ?? ''));
  }),
};

/** "Score dataset" on a model: all records of its dataset (or those matching the form's filter). */
export const scoreDatasetAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Activity',
  component: Components.ScoreForm,
  handler: actionHandler(async (request, _response, context) => {
    const record = context.record!;
    const base = { record: record.toJSON(context.currentAdmin) };
    if (request.method !== 'post') return { ...base, models: await choices({ id: Number(record.id()) }) };
    const payload = request.payload ?? {};
    const filter = { datasetId: Number(record.params.datasetId), ...Object.fromEntries(FILTER_FIELDS.map((f) => [f, payload[`filter.${f}`]])) };
    return { ...base, ...(await run(request, context, { filter }, String(record.params.name))) };
  }),
};
