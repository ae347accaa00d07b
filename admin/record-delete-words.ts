import type { ActionResponse } from 'adminjs';
import { SOFT_DELETE_HINT } from '../src/records/deleted-record.js';

/**
 * The records resource's own wording of AdminJS's delete and bulk delete (confirmation, result): a
 * delete there is a soft delete, and the person is told so and how to undo it, before and after.
 */
export const recordDeleteTranslations = {
  actions: { deleted: 'Deleted records' },
  messages: {
    confirmDelete: `Delete this record? ${SOFT_DELETE_HINT}`,
    theseRecordsWillBeRemoved: `This record will be deleted. ${SOFT_DELETE_HINT}`,
    theseRecordsWillBeRemoved_plural: `These records will be deleted. ${SOFT_DELETE_HINT}`,
    successfullyDeleted:
      'Record deleted (a soft delete): "Deleted records" on Records shows it, and an admin can restore it there.',
    successfullyBulkDeleted:
      '{{count}} record deleted (a soft delete): "Deleted records" on Records shows it, and an admin can restore it there.',
    successfullyBulkDeleted_plural:
      '{{count}} records deleted (a soft delete): "Deleted records" on Records shows them, and an admin can restore them there.',
  },
};

/**
 * AdminJS's delete answers its notice without a resource, so the frontend would read the general
 * wording; naming the resource makes it read the records' own (above).
 */
export async function deleteNoticeInRecordsWords(response: ActionResponse): Promise<ActionResponse> {
  if (response.notice?.type !== 'success') return response;
  return { ...response, notice: { ...response.notice, resourceId: 'records' } };
}
