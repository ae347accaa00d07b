import type { Action, ActionResponse } from 'adminjs';
import * as z from 'zod';
import { decide } from '../../../src/access/decide.js';
import { recordHistory, HISTORY_PAGE_SIZE } from '../../../src/records/history/record-history.js';
import { actionHandler } from '../../action-handler.js';
import type { HistoryPage } from '../../components/change-set-view.js';
import { actorOf } from '../../current-admin.js';

const HistoryQuery = z.object({ page: z.coerce.number().int().positive().default(1) });

/**
 * The data of a record's History panel (the panel is on the record's show page, so the action has no
 * page or button of its own): a page of the change-sets that touched the record, newest first, and
 * whether this role may restore it to one of them.
 */
export const recordHistoryAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Clock',
  isVisible: false,
  handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
    const actor = actorOf(currentAdmin);
    const { page } = HistoryQuery.parse(request.query ?? {});
    const { entries, total } = await recordHistory(actor, Number(record!.id()), page);
    const mayRestore = decide(actor, 'records', 'restoreVersion') === true;
    const history: HistoryPage = {
      entries: entries.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
      records: total,
      page,
      perPage: HISTORY_PAGE_SIZE,
      restore: {
        allowed: mayRestore,
        reason: mayRestore ? null : 'Your role may read this history but not restore the record to an earlier version.',
      },
    };
    return { record: record!.toJSON(currentAdmin), history };
  }),
};
