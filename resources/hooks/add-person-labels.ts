import type { ActionContext, ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import { actorOf } from '../../admin/current-admin.js';
import { labelOf, personLabels } from '../../src/users/person-labels.js';

/**
 * After list and show: each person column (`createdById`) gets its label beside it (`createdByLabel`):
 * an email for roles that may open users or for the viewer's own rows, "another user" otherwise, so
 * admin/components/PersonEmail.tsx never shows a bare id. One query on the users key per page.
 */
export function addPersonLabels(paths: readonly string[]) {
  return async (response: ActionResponse, _request: ActionRequest, context: ActionContext): Promise<ActionResponse> => {
    const records = [
      ...((response.records ?? []) as RecordJSON[]),
      ...(response.record ? [response.record as RecordJSON] : []),
    ];
    const idOf = (r: RecordJSON, path: string) => {
      const id = Number(r.params[path]);
      return r.params[path] === null || r.params[path] === undefined || !Number.isInteger(id) ? null : id;
    };
    const labels = await personLabels(
      actorOf(context.currentAdmin),
      records.flatMap((r) => paths.map((p) => idOf(r, p))),
    );
    for (const r of records) for (const p of paths) r.params[p.replace(/Id$/, 'Label')] = labelOf(labels, idOf(r, p));
    return response;
  };
}
