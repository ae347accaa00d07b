import * as z from 'zod';
import { changeSetInfo, readRows } from '../../records/history/change-set-rows.js';
import { HistoryPage } from '../../records/history/history-page.js';
import { previewRevert } from '../../records/history/preview-revert.js';
import { recordHistory } from '../../records/history/record-history.js';
import { RevertRequest } from '../../records/history/revert-change-set.js';
import { RestoreVersionRequest, restoreRecordVersion } from '../../records/history/restore-record-version.js';
import { startRevert } from '../../records/history/start-revert.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { IdParam, PageQuery, pageOf } from '../schemas.js';
import { JobSchema } from './resource-schemas.js';
import { jobJson } from './serialize.js';

const Values = z
  .record(z.string(), z.unknown())
  .meta({ description: 'Field → value, for the fields the change altered (none for a created record).' });

const ChangeSetSchema = z
  .object({
    id: z.number().int(),
    action: z
      .string()
      .meta({ description: 'The audit action: records.update, records.bulk_update, records.import, …' }),
    actorLabel: z.string().meta({ description: 'Who: an email, key:<prefix>, cli:<os user> or system.' }),
    actorId: z.string().nullable(),
    at: z.string(),
    auditSeq: z.number().int().nullable().meta({ description: 'The audit event that records it.' }),
    records: z.number().int(),
    fields: z.array(z.string()).meta({ description: 'Every field it changed in some record.' }),
    digest: z.string().nullable().meta({ description: "SHA-256 of its rows, also in the audit event's hash." }),
    revertsChangeSetId: z.number().int().nullable(),
    revertedBy: z.array(z.object({ id: z.number().int(), auditSeq: z.number().int().nullable() })),
  })
  .meta({ id: 'ChangeSet' });

const ChangeSetRowSchema = z
  .object({
    recordId: z.number().int(),
    kind: z.enum(['created', 'updated']),
    fields: z.array(z.string()),
    before: Values,
    after: Values,
  })
  .meta({ id: 'ChangeSetRow' });

const HistoryEntrySchema = z
  .object({
    changeSetId: z.number().int(),
    action: z.string(),
    actorLabel: z.string(),
    at: z.string(),
    auditSeq: z.number().int().nullable(),
    revertsChangeSetId: z.number().int().nullable(),
    kind: z.enum(['created', 'updated']),
    fields: z.array(z.string()),
    before: Values,
    after: Values,
  })
  .meta({ id: 'HistoryEntry' });

const RevertPreviewSchema = z
  .object({
    changeSetId: z.number().int(),
    auditSeq: z.number().int().nullable().meta({ description: 'The audit event that recorded the change.' }),
    action: z.string().meta({ description: 'What the change was, e.g. records.bulk_update, records.import.' }),
    records: z.number().int().meta({ description: 'Records the change-set changed or created.' }),
    wouldRevert: z.number().int().meta({
      description: 'Records a revert puts back without overwriting anyone; with `overwrite` the conflicts go back too.',
    }),
    alreadyReverted: z.number().int().meta({ description: 'Records that have their earlier values already.' }),
    conflicts: z.object({
      count: z.number().int().meta({ description: 'Records changed since by a later change.' }),
      first: z.array(
        z.object({
          recordId: z.number().int(),
          fields: z.array(z.string()),
          by: z.string().meta({ description: 'Who changed it last.' }),
          at: z.string().meta({ description: 'When (ISO 8601).' }),
        }),
      ),
    }),
    missing: z.number().int().meta({ description: 'Records of the change-set that no longer exist.' }),
    fields: z.array(z.string()),
    revertedBy: z
      .object({ changeSetId: z.number().int(), by: z.string(), at: z.string() })
      .nullable()
      .meta({ description: 'The latest revert of this change-set.' }),
    refused: z
      .string()
      .nullable()
      .meta({ description: 'Why the caller may not revert it (e.g. fields their role may not change), or null.' }),
  })
  .meta({ id: 'RevertPreview' });

const RevertResultSchema = z
  .object({
    changeSetId: z.number().int().meta({ description: "The revert's own change-set (it can be reverted in turn)." }),
    reverted: z.number().int(),
    skipped: z.number().int().meta({ description: 'Records changed since and left as they are (`skip`).' }),
    alreadyReverted: z.number().int(),
    source: z.object({ changeSetId: z.number().int(), auditSeq: z.number().int().nullable() }),
  })
  .meta({ id: 'RevertResult' });

const RevertBody = RevertRequest.pick({ conflicts: true }).strict();

/** Change-sets (what an audited write changed, record by record), their revert, and a record's past versions. */
export function addHistoryRoutes(api: ApiVersion): void {
  api.add({
    method: 'get',
    path: '/change-sets/{id}',
    tag: 'History',
    access: { scope: 'records:read', resource: 'records', action: 'history' },
    summary: 'Read a change-set and a page of its records',
    description:
      "Who changed what and when, and each record's values before and after, in record id order: pass `nextAfter` as `after` for the next page (constant time however large the change-set).",
    params: IdParam,
    query: PageQuery,
    responses: {
      200: {
        description: 'The change-set and a page of its rows.',
        schema: z.object({ changeSet: ChangeSetSchema, rows: pageOf(ChangeSetRowSchema) }),
      },
    },
    handler: async ({ params, query }, _req, res) => {
      const changeSet = await changeSetInfo(callerOf(res).actor, params.id);
      const rows = await readRows(params.id, { limit: query.limit + 1, after: query.after ?? 0 });
      const more = rows.length > query.limit;
      return {
        changeSet,
        rows: { items: rows.slice(0, query.limit), nextAfter: more ? rows[query.limit - 1]!.recordId : null },
      };
    },
  });

  api.add({
    method: 'get',
    path: '/records/{id}/history',
    tag: 'History',
    access: { scope: 'records:read', resource: 'records', action: 'history' },
    summary: "A record's history",
    description:
      'Every change-set that touched the record (a deleted one too), newest first, with its values before and after each: pages of `perPage`, `page` from 1.',
    params: IdParam,
    query: HistoryPage,
    responses: {
      200: {
        description: 'A page of the history.',
        schema: z.object({
          items: z.array(HistoryEntrySchema),
          total: z.number().int(),
          page: z.number().int(),
          perPage: z.number().int(),
        }),
      },
    },
    handler: async ({ params, query }, _req, res) => {
      const { entries, ...rest } = await recordHistory(callerOf(res).actor, params.id, query);
      return { items: entries, ...rest };
    },
  });

  api.add({
    method: 'get',
    path: '/change-sets/{id}/revert-preview',
    tag: 'History',
    access: { scope: 'records:read', resource: 'records', action: 'revert' },
    summary: 'Preview the revert of a change-set',
    description:
      'How many records would go back, how many are back already, and the records changed since by a later change (conflicts: who and when). `refused` says why the caller may not revert it, if so. Reads only.',
    params: IdParam,
    responses: { 200: { description: 'What a revert would do now.', schema: RevertPreviewSchema } },
    handler: async ({ params }, _req, res) => previewRevert(callerOf(res).actor, params.id),
  });

  api.add({
    method: 'post',
    path: '/change-sets/{id}/revert',
    tag: 'History',
    access: { scope: 'records:write', resource: 'records', action: 'revert' },
    refusedAs: () => ({ action: 'records.revert' }),
    summary: 'Revert a change-set',
    description:
      "Puts every record of the change-set back to its value from before it, all or nothing, as a change-set of its own (audited as records.revert; it can be reverted too). Records changed since are left (`skip`) or put back (`overwrite`); records it created are deleted (soft). Every field it changed must be one the caller's role may change (data scientists: label). Above 5,000 records it runs as a job (202 with the job). 409 when nothing is left to revert.",
    params: IdParam,
    body: RevertBody,
    responses: {
      200: { description: 'Reverted.', schema: RevertResultSchema },
      202: {
        description: 'Queued as a job: follow it at /api/v1/jobs/{id}; its result is the revert result.',
        schema: z.object({ job: JobSchema }),
      },
    },
    handler: async ({ params, body }, _req, res) => {
      const started = await startRevert(callerOf(res).actor, { changeSetId: params.id, conflicts: body.conflicts });
      if (started.result) return started.result;
      res.location(`/api/v1/jobs/${started.job.id}`);
      res.status(202).json({ job: jobJson(started.job) });
      return undefined;
    },
  });

  api.add({
    method: 'post',
    path: '/records/{id}/restore-version',
    tag: 'History',
    access: { scope: 'records:write', resource: 'records', action: 'restoreVersion' },
    refusedAs: ({ params }) => ({ action: 'records.restore_version', recordIds: [params.id] }),
    summary: 'Restore a record to a past version',
    description:
      "Puts the record back as it was right after `changeSetId` (one of its History's change-sets): every later change of it undone, only the fields that differ written, as a change-set of its own (audited as records.restore_version). The caller's role must be allowed to change each of those fields. 409 when it has those values already.",
    params: IdParam,
    body: RestoreVersionRequest.strict(),
    responses: {
      200: {
        description: "The restore's change-set and the fields it changed.",
        schema: z.object({ changeSetId: z.number().int(), fields: z.array(z.string()) }),
      },
    },
    handler: async ({ params, body }, _req, res) =>
      restoreRecordVersion(callerOf(res).actor, params.id, body.changeSetId),
  });
}
