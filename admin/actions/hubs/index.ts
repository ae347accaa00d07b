import type { Action, ActionResponse } from 'adminjs';
import { datasetHub } from '../../../src/datasets/dataset-hub.js';
import { modelHub } from '../../../src/registry/model-hub.js';
import { userActivity } from '../../../src/users/user-activity.js';
import { actionHandler } from '../../action-handler.js';
import { actorOf } from '../../current-admin.js';

/**
 * The data of a show page's hub (versions, aliases and jobs of a model; counts, models and imports of
 * a dataset; a user's activity), fetched by the page's hub component. No button of its own: the show
 * page is where it is seen. The service leaves out every section the viewer's role may not see.
 */
const hubAction = (
  load: (actor: ReturnType<typeof actorOf>, id: number) => Promise<unknown>,
): Partial<Action<ActionResponse>> => ({
  actionType: 'record',
  isVisible: false,
  handler: actionHandler(async (_request, _response, { record, currentAdmin }) => ({
    record: record!.toJSON(currentAdmin),
    hub: await load(actorOf(currentAdmin), Number(record!.id())),
  })),
});

export const modelHubAction = hubAction(modelHub);
export const datasetHubAction = hubAction(datasetHub);
export const userActivityAction = hubAction(userActivity);
