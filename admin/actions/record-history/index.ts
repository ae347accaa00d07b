import type { Action, ActionResponse } from 'adminjs';
import { decide } from '../../../src/access/decide.js';
import { HistoryPage as PageQuery } from '../../../src/records/history/history-page.js';
import { recordHistory } from '../../../src/records/history/record-history.js';
import { actionHandler } from '../../action-handler.js';
import type { HistoryPage } from '../../components/change-set-view.js';
import { actorOf } from '../../current-admin.js';

/** Change-sets per page of a record's History panel. */
const PER_PAGE = 20;

/**
 * The data of a record's History panel (the panel is on the record's show page, so the action has no
 * page or button of its own): a page of the change-sets that touched the record, newest first, and
 * whether this role may restore it to one of them (the service checks again, fields included).
 */
export const recordHistoryAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Clock',
  isVisible: false,
  handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
    const actor = actorOf(currentAdmin);
    const { page } = PageQuery.parse(request.query ?? {});
    const mayRestore = decide(actor, 'records', 'restoreVersion') === true;
    const history: HistoryPage = {
      ...(await recordHistory(actor, Number(record!.id()), { page, perPage: PER_PAGE })),
      restore: {
        allowed: mayRestore,
        reason: mayRestore ? null : 'Your role may read this history but not restore the record to an earlier version.',
      },
    };
    return { record: record!.toJSON(currentAdmin), history };
  }),
};
