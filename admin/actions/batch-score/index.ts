import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import type { RecordSelection } from '../../../src/records/record-selection.js';
import { planScoring, queueScoring } from '../../../src/scoring/queue-scoring.js';
import type { ScoreInput } from '../../../src/scoring/score-input.js';
import { allScoreChoices, scoreChoicesForRecords, scoreChoicesOfModel } from '../../../src/scoring/scoring-choices.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';

const FILTER_FIELDS = ['split', 'label', 'predictedLabel', 'tag', 'text'] as const;

/**
 * POST { model, alias | version, mode: 'preview' | 'apply' }: preview says which version and how many
 * records; apply queues the scoring job and opens its live progress page.
 */
async function run(
  request: ActionRequest,
  context: ActionContext,
  selection: RecordSelection | undefined,
  model: string,
): Promise<ActionResponse> {
  const actor = actorOf(context.currentAdmin);
  const payload = request.payload ?? {};
  const input: ScoreInput = {
    model,
    alias: payload.alias,
    version: payload.version,
    ...(selection ? { selection } : {}),
  };
  if (payload.mode !== 'apply') {
    const { params, matching } = await planScoring(actor, input);
    return { preview: { matching, model: params.model, version: params.version, alias: params.alias } };
  }
  const { job, params, matching } = await queueScoring(actor, input);
  return {
    notice: {
      type: 'success',
      message: `Scoring ${matching.toLocaleString('en')} records with ${params.model} v${params.version}: job ${job.id}, follow its progress here.`,
    },
    redirectUrl: context.h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
  };
}

const withRecords = (context: ActionContext) => ({
  records: (context.records ?? []).map((record) => record.toJSON(context.currentAdmin)),
});

/** "Score with model…" on the records ticked in the list: models of their datasets are offered. */
export const scoreRecordsAction: Partial<Action<ActionResponse>> = {
  actionType: 'bulk',
  icon: 'Activity',
  component: Components.ScoreForm,
  handler: actionHandler(async (request, _response, context) => {
    const ids = (context.records ?? []).map((record) => Number(record.id()));
    if (request.method !== 'post') return { ...withRecords(context), models: await scoreChoicesForRecords(ids) };
    return { ...withRecords(context), ...(await run(request, context, { ids }, String(request.payload?.model ?? ''))) };
  }),
};

/** "Score all matching…": every record matching a filter (the list's filters to start with), within the model's dataset. */
export const scoreMatchingAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Activity',
  component: Components.ScoreForm,
  handler: actionHandler(async (request, _response, context) => {
    if (request.method !== 'post') return { models: await allScoreChoices() };
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
    if (request.method !== 'post') return { ...base, models: await scoreChoicesOfModel(Number(record.id())) };
    const payload = request.payload ?? {};
    const filter = {
      datasetId: Number(record.params.datasetId),
      ...Object.fromEntries(FILTER_FIELDS.map((f) => [f, payload[`filter.${f}`]])),
    };
    return { ...base, ...(await run(request, context, { filter }, String(record.params.name))) };
  }),
};
