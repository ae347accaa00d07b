import type { Action, ActionResponse } from 'adminjs';
import { FilterChoicesQuery, recordFilterChoices } from '../../../src/records/record-filter-choices.js';
import { actionHandler } from '../../action-handler.js';

/**
 * The data of the record list's label, predicted-label and "scored by" dropdowns (GET ?datasetId=):
 * one call every role that lists records may make, instead of searches of model versions or users
 * that some roles may not use (each such call would be refused and audited as denied).
 */
export const recordFilterChoicesAction: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Filter',
  isVisible: false,
  handler: actionHandler(async (request) => ({
    choices: await recordFilterChoices(FilterChoicesQuery.parse(request.query ?? {})),
  })),
};
