import type { Action, ActionResponse } from 'adminjs';
import { positiveInteger } from '../../../src/charts/chart-choices.js';
import { chartsOfDataset, chartsOfModel } from '../../../src/charts/charts-of.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';

/** "Charts" on a dataset: its label distribution per split, records created and edited per day, recent changes. */
export const datasetChartsAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'BarChart2',
  component: Components.DatasetCharts,
  showInDrawer: false,
  handler: actionHandler(async (_request, _response, { record, currentAdmin }) => {
    return { record: record!.toJSON(currentAdmin), charts: await chartsOfDataset(Number(record!.id())) };
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
    const { charts, predictions } = await chartsOfModel(Number(record!.id()), positiveInteger(request.query?.version));
    return { record: record!.toJSON(currentAdmin), charts, predictions };
  }),
};
