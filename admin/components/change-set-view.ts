/**
 * What the console's history actions send their pages (admin/actions/): the services' own shapes,
 * plus whether the signed-in person may revert or restore. Types only: nothing of src/ is bundled.
 */
import type { ChangeSetInfo, ChangeSetRow } from '../../src/records/history/change-set-rows.js';
import type { HistoryEntry } from '../../src/records/history/record-history.js';
import type { RevertPreview } from '../../src/records/history/preview-revert.js';
import type { RestoreVersionPreview } from '../../src/records/history/restore-record-version.js';
import type { RevertResult } from '../../src/records/history/revert-change-set.js';

export type { ChangeSetRow, HistoryEntry };

/** Whether the signed-in person may revert (or restore), and if not, the sentence that says why. */
export interface RevertChoice {
  allowed: boolean;
  reason: string | null;
}

/** A page of an audit event's change-set. */
export interface ChangeSetPage {
  changeSet: ChangeSetInfo;
  rows: ChangeSetRow[];
  total: number;
  page: number;
  perPage: number;
  revert: RevertChoice;
}

/** A page of a record's History: the change-sets that touched it, newest first. */
export interface HistoryPage {
  entries: HistoryEntry[];
  total: number;
  page: number;
  perPage: number;
  restore: RevertChoice;
}

/** "Restore to this version": the record now and as it was right after the chosen change-set. */
export type RestorePreviewView = RestoreVersionPreview;

/** The revert page's preview, and the size above which the revert runs as a job. */
export type RevertPreviewView = RevertPreview & { jobThreshold: number };

/** A revert done at once (a large one is a job instead). */
export type RevertDoneView = Pick<RevertResult, 'changeSetId' | 'reverted' | 'skipped' | 'alreadyReverted'>;
