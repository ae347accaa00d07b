import type { Role } from './roles.js';
import type { Rule } from './rule.js';
import { always } from './predicates/always.js';
import { notSelf } from './predicates/not-self.js';
import { ownJobsOnly } from './predicates/own-jobs-only.js';
import { ownKeysOnly } from './predicates/own-keys-only.js';
import { recordEventsOnly } from './predicates/record-events-only.js';

export type AccessTable = Readonly<Record<string, Readonly<Record<string, Partial<Readonly<Record<Role, Rule>>>>>>>;

const readAll = { admin: always, data_scientist: always, content_manager: always, auditor: always } as const;
const readStaff = { admin: always, data_scientist: always, auditor: always } as const;
const adminAndAuditor = { admin: always, auditor: always } as const;

/**
 * resource → action → role → rule: the one answer to "what may this role do?". A missing entry
 * means denied. The console (admin/access.ts) and the API both ask `decide()`, which reads only this.
 * Nobody may change or delete audit events; model versions are immutable once created.
 */
export const RULES = {
  users: {
    list: adminAndAuditor,
    search: adminAndAuditor,
    show: adminAndAuditor,
    // The user page's recent activity (the service also needs auditEvents.list in full).
    hub: adminAndAuditor,
    new: { admin: always },
    edit: { admin: always },
    delete: { admin: notSelf },
  },
  apiKeys: {
    list: { admin: always, auditor: always, data_scientist: ownKeysOnly },
    show: { admin: always, auditor: always, data_scientist: ownKeysOnly },
    // Keys are issued by admins (console or CLI) for any user; the secret is shown once.
    issue: { admin: always },
    // Revoked keys are refused within milliseconds in every process (see auth/api-keys/authenticate-key.ts).
    revoke: { admin: always, data_scientist: ownKeysOnly },
    delete: { admin: always },
  },
  datasets: {
    list: readAll,
    search: readAll,
    show: readAll,
    new: { admin: always, data_scientist: always },
    edit: { admin: always, data_scientist: always },
    delete: { admin: always },
    // "Retrain" one of the dataset's models (the work itself checks models.train).
    train: { admin: always, data_scientist: always },
    // "Import CSV": upload, dry run and apply records into the dataset (content work, like bulk edit).
    importCsv: { admin: always, content_manager: always },
    // "Charts": the dataset's label distribution per split, records created and edited per day, recent changes.
    charts: readAll,
    // The dataset page's counts, models and imports (each section also checked on its own rule).
    hub: readAll,
  },
  records: {
    list: readAll,
    search: readAll,
    show: readAll,
    new: { admin: always, content_manager: always },
    // Data scientists label records; which fields they may change is enforced by `editableRecordFields`.
    edit: { admin: always, content_manager: always, data_scientist: always },
    delete: { admin: always, content_manager: always },
    bulkDelete: { admin: always, content_manager: always },
    // Which fields each role may change is enforced by `editableRecordFields` (data scientists: label).
    bulkEdit: { admin: always, content_manager: always, data_scientist: always },
    bulkEditMatching: { admin: always, content_manager: always, data_scientist: always },
    export: readAll,
    // Deleted records are only hidden (soft delete); admins bring them back.
    restoreDeleted: { admin: always },
    // "Deleted records": when and by whom, also where a deleted record's URL leads (Restore needs restoreDeleted).
    deleted: readAll,
    // A record's History and the rows of any change-set (every previous value; export as CSV/JSONL).
    history: readAll,
    // "Score with model…" on ticked records or on all matching a filter (the work checks models.score).
    scoreSelected: { admin: always, data_scientist: always },
    scoreMatching: { admin: always, data_scientist: always },
    // Undo a change-set, or put one record back as it was after one; the fields written must all be
    // the actor's to change (`editableRecordFields`: data scientists revert label changes only).
    revert: { admin: always, content_manager: always, data_scientist: always },
    restoreVersion: { admin: always, content_manager: always, data_scientist: always },
    // The list's dropdown choices (the datasets' labels, model versions by name): what the list shows anyway.
    filterChoices: readAll,
    // Rows per page of the person's own lists (a preference on their user row, for every list).
    rememberPageSize: readAll,
  },
  models: {
    list: readStaff,
    search: readStaff,
    show: readStaff,
    new: { admin: always, data_scientist: always },
    edit: { admin: always, data_scientist: always },
    train: { admin: always, data_scientist: always },
    upload: { admin: always, data_scientist: always },
    compare: readStaff,
    // "Charts": metrics per version over time, the production version's evaluation, score distribution, predictions per day.
    charts: readStaff,
    // The model page's versions, aliases and jobs (each section also checked on its own rule).
    hub: readStaff,
    // Batch scoring with one of the model's versions (queued from records, the model, the CLI).
    score: { admin: always, data_scientist: always },
    // POST /api/v1/models/{name}/predict (with an API key, also the `predict` scope).
    predict: { admin: always, data_scientist: always },
    // Drift of live records and sampled predictions from a version's training data (report and charts).
    drift: readStaff,
    // The model's drift thresholds (what flags "drifted").
    driftSettings: { admin: always, data_scientist: always },
  },
  reviewQueues: {
    // Queues of records to review, built by a strategy over one version's predictions; their progress and agreement.
    list: readAll,
    show: readAll,
    // Build a queue (a job: the strategy's order, near-duplicates dropped) and close one.
    create: { admin: always, data_scientist: always },
    close: { admin: always, data_scientist: always },
    // Claim the next item, label it (a normal audited edit of the record's label), skip it, undo one's last label.
    label: { admin: always, data_scientist: always, content_manager: always },
    // Accept or reject another reviewer's label (never one's own: the service checks).
    secondReview: { admin: always, data_scientist: always },
  },
  modelVersions: {
    list: readStaff,
    search: readStaff,
    show: readStaff,
    promote: { admin: always, data_scientist: always },
    download: readStaff,
  },
  modelAliases: {
    list: readStaff,
    show: readStaff,
    history: readStaff,
    rollback: { admin: always, data_scientist: always },
  },
  jobs: {
    list: { admin: always, auditor: always, data_scientist: ownJobsOnly, content_manager: ownJobsOnly },
    show: { admin: always, auditor: always, data_scientist: ownJobsOnly, content_manager: ownJobsOnly },
    cancel: { admin: always, data_scientist: ownJobsOnly, content_manager: ownJobsOnly },
  },
  auditEvents: {
    // The events of record changes for the roles that make them, so they can open and revert their own.
    list: { ...adminAndAuditor, content_manager: recordEventsOnly, data_scientist: recordEventsOnly },
    search: adminAndAuditor,
    show: { ...adminAndAuditor, content_manager: recordEventsOnly, data_scientist: recordEventsOnly },
    verify: adminAndAuditor,
    export: adminAndAuditor,
    // Service-only (CLI): writes the oldest events to a file and records the boundary.
    archive: { admin: always },
  },
  inferenceStats: {
    list: readStaff,
    show: readStaff,
    // The dashboard's live system health panel (queue backlog, stalled workers, errors, Postgres).
    systemHealth: { admin: always },
  },
} as const satisfies AccessTable;

export type ResourceId = keyof typeof RULES;
export const RESOURCE_IDS = Object.keys(RULES) as ResourceId[];
