/**
 * What the console's history actions send their pages (admin/actions/change-history): one shape for
 * the handler that builds it and the components that draw it.
 */

/** One record of a change-set: the fields it changed, before and after ('c': created, before/after empty). */
export interface ChangeRowView {
  recordId: number;
  kind: 'c' | 'u';
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** Whether the signed-in person may revert, and if not, the sentence that says why. */
export interface RevertChoice {
  allowed: boolean;
  reason: string | null;
}

/** A page of an audit event's change-set. */
export interface ChangeSetPage {
  changeSetId: number;
  records: number;
  created: number;
  fields: string[];
  page: number;
  perPage: number;
  rows: ChangeRowView[];
  revert: RevertChoice;
}

/** One change-set that touched a record, as its History panel lists it. */
export interface HistoryEntryView {
  changeSetId: number;
  auditSeq: number | null;
  action: string;
  actor: string;
  at: string;
  kind: 'c' | 'u';
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export interface HistoryPage {
  entries: HistoryEntryView[];
  /** Change-sets that touched the record, in all. */
  records: number;
  page: number;
  perPage: number;
  restore: RevertChoice;
}

/** "Restore to this version": the record now and as it was right after the chosen change-set. */
export interface RestorePreviewView {
  changeSetId: number;
  current: Record<string, unknown>;
  target: Record<string, unknown>;
  fields: string[];
  /** Why this person may not restore it (the sentence to show), or null. */
  refused: string | null;
}

/** The revert page's preview (src/records/history/revert-change-set.ts decides every number). */
export interface RevertPreviewView {
  changeSetId: number;
  auditSeq: number | null;
  action: string;
  records: number;
  wouldRevert: number;
  alreadyReverted: number;
  conflicts: { count: number; first: Array<{ recordId: number; fields: string[]; by: string; at: string }> };
  /** Records of the change-set that no longer exist. */
  missing: number;
  fields: string[];
  /** The latest revert of this change-set, if any. */
  revertedBy: { changeSetId: number; by: string; at: string } | null;
  refused: string | null;
  /** Above this many records the revert runs as a job with a progress page. */
  jobThreshold: number;
}

/** A revert done at once (a large one is a job instead). */
export interface RevertDoneView {
  /** The revert's own change-set. */
  changeSetId: number;
  reverted: number;
  skipped: number;
  alreadyReverted: number;
}
