import type { Action, ActionResponse } from 'adminjs';
import { aliasPage } from '../../../src/registry/alias-history.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';

/** "History" on an alias: every promotion and roll-back, newest first, and what it served at a given time. */
export const history: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Clock',
  component: Components.AliasHistory,
  handler: actionHandler(async (_request, _response, { record, currentAdmin }) => {
    const { model, moves } = await aliasPage(Number(record!.params.modelId), String(record!.params.alias));
    return { record: record!.toJSON(currentAdmin), model, moves };
  }),
};
