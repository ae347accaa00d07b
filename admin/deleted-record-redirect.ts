import type { NextFunction, Request, Response } from 'express';
import { findDeletedRecord, deletedRecordSentence } from '../src/records/deleted-record.js';
import { actorOf } from './current-admin.js';

const DELETED_PAGE = '/admin/resources/records/actions/deleted';

/**
 * A deleted record's URL (its page, edit form or history; a link in an audit event, a change-set or
 * a bookmark) leads to the page that says when and by whom it was deleted, instead of AdminJS's
 * "not found". Mounted after the access check, so only roles that may read records get here.
 */
export function redirectDeletedRecords() {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const match = /^\/(api\/)?resources\/records\/records\/([1-9][0-9]{0,17})\/[A-Za-z]+\/?$/.exec(req.path);
      if (req.method !== 'GET' || !match || !req.session?.adminUser) return next();
      const deleted = await findDeletedRecord(actorOf(req.session.adminUser), Number(match[2]));
      if (!deleted) return next();
      const page = `${DELETED_PAGE}?recordId=${deleted.id}`;
      // The console's own navigation fetches the record as JSON: it shows the notice with the way there.
      if (match[1]) res.json({ notice: { type: 'error', message: `${deletedRecordSentence(deleted)}: see ${page}` } });
      else res.redirect(302, page);
    } catch (error) {
      next(error);
    }
  };
}
