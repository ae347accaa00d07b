import type { Action, ActionResponse } from 'adminjs';
import { sequelizeOf } from '../../../models/index.js';
import { predictionsPerDay } from '../../../src/charts/activity-charts.js';
import { positiveInteger } from '../../../src/charts/chart-choices.js';
import { datasetCharts } from '../../../src/charts/dataset-charts.js';
import { modelCharts } from '../../../src/charts/model-charts.js';
import { NotFound } from '../../../src/errors/domain-error.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';

/** "Charts" on a dataset: its label distribution per split, records created and edited per day, recent changes. */
export const datasetChartsAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'BarChart2',
  component: Components.DatasetCharts,
  showInDrawer: false,
  handler: actionHandler(async (_request, _response, { record, currentAdmin }) => {
    const charts = await datasetCharts(sequelizeOf(), Number(record!.id()));
    if (!charts) throw new NotFound('charts.dataset', 'This dataset no longer exists.');
    return { record: record!.toJSON(currentAdmin), charts };
  }),
};

/**
 * "Charts" on a model: metrics per version over time, the production version's confusion matrix and
 * ROC curve, the score distribution a version's batch scoring left (`?version=N`, default production),
 * and predictions per day, batch and API.
 */
export const modelChartsAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'BarChart2',
  component: Components.ModelCharts,
  showInDrawer: false,
  handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
    const modelId = Number(record!.id());
    const version = positiveInteger(request.query?.version);
    const [charts, predictions] = await Promise.all([modelCharts(sequelizeOf(), modelId, version), predictionsPerDay(sequelizeOf(), modelId)]);
    if (!charts) throw new NotFound('charts.model', 'This model no longer exists.');
    return { record: record!.toJSON(currentAdmin), charts, predictions };
  }),
};
