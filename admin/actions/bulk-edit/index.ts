import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { enqueueJob } from '../../../src/jobs/enqueue-job.js';
import { DomainError } from '../../../src/errors/domain-error.js';
import {
  applyBulkEdit,
  BULK_EDIT_JOB_THRESHOLD,
  checkBulkEdit,
  previewBulkEdit,
} from '../../../src/records/bulk-edit.js';
import type { RecordSelection } from '../../../src/records/record-selection.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import { bulkEditApplied } from '../../components/bulk-edit-outcome.js';
import { listSearchOf } from './list-search.js';

const CHANGE_FIELDS = ['label', 'split', 'addTags', 'removeTags'] as const;
const FILTER_FIELDS = [
  'datasetId',
  'split',
  'label',
  'predictedLabel',
  'tag',
  'text',
  'scoredByVersionId',
  'misclassified',
  'scoreFrom',
  'scoreTo',
] as const;

/**
 * POST { mode: 'preview' | 'apply', …changes }: a preview says how many records match, how many would
 * change and which cannot take the change; apply writes it in one transaction with one audit event,
 * or, above BULK_EDIT_JOB_THRESHOLD records, queues it as a job and opens its progress page. The
 * request goes through the same door as the API's (checkBulkEdit: role's fields, shapes, audited
 * refusals); a refusal answers its error code and fields beside the notice.
 */
async function run(request: ActionRequest, context: ActionContext, selection: unknown): Promise<ActionResponse> {
  try {
    return await runChecked(request, context, selection);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      notice: { type: 'error', message: error.message },
      error: { code: error.code, fields: error.fields ?? {} },
    };
  }
}

async function runChecked(request: ActionRequest, context: ActionContext, selection: unknown): Promise<ActionResponse> {
  const actor = actorOf(context.currentAdmin);
  const payload = request.payload ?? {};
  const changes = Object.fromEntries(CHANGE_FIELDS.map((f) => [f, payload[f]]));
  const parsed = await checkBulkEdit(actor, { selection, changes });
  const preview = await previewBulkEdit(actor, parsed.selection, parsed.changes);
  if (payload.mode !== 'apply') return { preview };
  if (preview.changing > BULK_EDIT_JOB_THRESHOLD && !preview.invalid) {
    const job = await enqueueJob(actor, 'bulk_edit', { selection: parsed.selection, changes: parsed.changes });
    return {
      preview,
      notice: {
        type: 'success',
        message: `${preview.changing.toLocaleString('en')} records to change: running as job ${job.id}, follow its progress here.`,
      },
      redirectUrl: context.h.recordActionUrl({ resourceId: 'jobs', recordId: String(job.id), actionName: 'show' }),
    };
  }
  const result = await applyBulkEdit(actor, parsed.selection, parsed.changes);
  return {
    preview,
    notice: {
      type: 'success',
      message: bulkEditApplied(result),
    },
    // Back to the list as it was (its filters, sort and page size), not to the unfiltered list.
    redirectUrl: context.h.resourceUrl({ resourceId: 'records', search: listSearchOf(payload.listSearch) }),
  };
}

/** "Bulk edit" on the records ticked in the list (AdminJS wants the records in every bulk answer). */
const bulkEditHandler = actionHandler(async (request, _response, context) => {
  if (request.method !== 'post') return {};
  return run(request, context, {
    ids: (context.records ?? []).map((record) => Number(record.id())),
  } satisfies RecordSelection);
});

export const bulkEdit: Partial<Action<ActionResponse>> = {
  actionType: 'bulk',
  icon: 'Edit',
  component: Components.BulkEditForm,
  handler: async (request, response, context) => ({
    ...(await bulkEditHandler(request, response, context)),
    records: (context.records ?? []).map((record) => record.toJSON(context.currentAdmin)),
  }),
};

/** "Edit all matching…": every record matching a filter, with the count shown before applying. */
export const bulkEditMatching: Partial<Action<ActionResponse>> = {
  actionType: 'resource',
  icon: 'Edit3',
  component: Components.BulkEditForm,
  handler: actionHandler(async (request, _response, context) => {
    if (request.method !== 'post') return {};
    const payload = request.payload ?? {};
    const filter = Object.fromEntries(FILTER_FIELDS.map((f) => [f, payload[`filter.${f}`]]));
    return run(request, context, { filter });
  }),
};
