import type { Action, ActionResponse } from 'adminjs';
import { compareVersions } from '../../../src/registry/compare-versions.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';

/** "Compare versions": metrics side by side, metric over versions, ROC curves and confusion matrices. */
export const compare: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'BarChart2',
  component: Components.CompareVersions,
  handler: actionHandler(async (_request, _response, { record, currentAdmin }) => ({
    record: record!.toJSON(currentAdmin),
    versions: await compareVersions(Number(record!.id())),
  })),
};
