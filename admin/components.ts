import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { projectRoot } from '../src/platform/project-root.js';

/** The one place that registers custom components; AdminJS bundles their .tsx sources at build time. */
export const componentLoader = new ComponentLoader();

const source = (file: string) => path.join(projectRoot, 'admin', 'components', file);

export const componentFiles = {
  Dashboard: source('Dashboard.tsx'),
  PromoteVersion: source('PromoteVersion.tsx'),
  VersionMetrics: source('VersionMetrics.tsx'),
  CompareVersions: source('CompareVersions.tsx'),
  JsonValue: source('JsonValue.tsx'),
  TrainForm: source('TrainForm.tsx'),
  JobProgress: source('JobProgress.tsx'),
  VerifyAudit: source('VerifyAudit.tsx'),
  ExportAudit: source('ExportAudit.tsx'),
  AuditDiff: source('AuditDiff.tsx'),
  RecordHistory: source('RecordHistory.tsx'),
  RecordChangeHistory: source('RecordChangeHistory.tsx'),
  RevertChangeSet: source('RevertChangeSet.tsx'),
  AuditValue: source('AuditValue.tsx'),
  AliasHistory: source('AliasHistory.tsx'),
  UploadVersion: source('UploadVersion.tsx'),
  BulkEditForm: source('BulkEditForm.tsx'),
  ExportRecords: source('ExportRecords.tsx'),
  RestoreRecords: source('RestoreRecords.tsx'),
  DeletedRecord: source('DeletedRecord.tsx'),
  ScoreForm: source('ScoreForm.tsx'),
  IssueApiKey: source('IssueApiKey.tsx'),
  ConfirmAction: source('ConfirmAction.tsx'),
  ImportRecords: source('ImportRecords.tsx'),
  DatasetCharts: source('DatasetCharts.tsx'),
  Probabilities: source('Probabilities.tsx'),
  ModelCharts: source('ModelCharts.tsx'),
  DriftReport: source('DriftReport.tsx'),
  LoginPage: source('LoginPage.tsx'),
  LabelSelect: source('LabelSelect.tsx'),
  RecordEditForm: source('RecordEditForm.tsx'),
  ReferenceFilter: source('ReferenceFilter.tsx'),
  ListValue: source('ListValue.tsx'),
  ModelHub: source('ModelHub.tsx'),
  DatasetHub: source('DatasetHub.tsx'),
  UserActivity: source('UserActivity.tsx'),
  PersonEmail: source('PersonEmail.tsx'),
  BadgeList: source('BadgeList.tsx'),
  VersionAccuracy: source('VersionAccuracy.tsx'),
  VersionAliases: source('VersionAliases.tsx'),
  VersionName: source('VersionName.tsx'),
  SearchReport: source('SearchReport.tsx'),
  ReviewQueueForm: source('ReviewQueueForm.tsx'),
  ReviewQueueProgress: source('ReviewQueueProgress.tsx'),
  ReviewQueueLinks: source('ReviewQueueLinks.tsx'),
  LabelQueue: source('LabelQueue.tsx'),
  // Lists: cells, filter controls and the page-size control.
  LongText: source('LongText.tsx'),
  RecordInputCell: source('RecordInputCell.tsx'),
  LabelCell: source('LabelCell.tsx'),
  ScoreCell: source('ScoreCell.tsx'),
  StatusBadgeCell: source('StatusBadgeCell.tsx'),
  TextCell: source('TextCell.tsx'),
  ReferenceCell: source('ReferenceCell.tsx'),
  ChoiceFilter: source('ChoiceFilter.tsx'),
  TextFilter: source('TextFilter.tsx'),
  ScoreRangeFilter: source('ScoreRangeFilter.tsx'),
  ListWithPageSize: source('ListWithPageSize.tsx'),
} as const;

// ModelDesk's own sign-in page in place of AdminJS's stock one.
componentLoader.override('Login', componentFiles.LoginPage);

export const Components = {
  Dashboard: componentLoader.add('Dashboard', componentFiles.Dashboard),
  PromoteVersion: componentLoader.add('PromoteVersion', componentFiles.PromoteVersion),
  VersionMetrics: componentLoader.add('VersionMetrics', componentFiles.VersionMetrics),
  CompareVersions: componentLoader.add('CompareVersions', componentFiles.CompareVersions),
  JsonValue: componentLoader.add('JsonValue', componentFiles.JsonValue),
  TrainForm: componentLoader.add('TrainForm', componentFiles.TrainForm),
  JobProgress: componentLoader.add('JobProgress', componentFiles.JobProgress),
  VerifyAudit: componentLoader.add('VerifyAudit', componentFiles.VerifyAudit),
  ExportAudit: componentLoader.add('ExportAudit', componentFiles.ExportAudit),
  AuditDiff: componentLoader.add('AuditDiff', componentFiles.AuditDiff),
  RecordHistory: componentLoader.add('RecordHistory', componentFiles.RecordHistory),
  LabelQueue: componentLoader.add('LabelQueue', componentFiles.LabelQueue),
  RecordChangeHistory: componentLoader.add('RecordChangeHistory', componentFiles.RecordChangeHistory),
  RevertChangeSet: componentLoader.add('RevertChangeSet', componentFiles.RevertChangeSet),
  AuditValue: componentLoader.add('AuditValue', componentFiles.AuditValue),
  ScoreForm: componentLoader.add('ScoreForm', componentFiles.ScoreForm),
  AliasHistory: componentLoader.add('AliasHistory', componentFiles.AliasHistory),
  UploadVersion: componentLoader.add('UploadVersion', componentFiles.UploadVersion),
  BulkEditForm: componentLoader.add('BulkEditForm', componentFiles.BulkEditForm),
  ExportRecords: componentLoader.add('ExportRecords', componentFiles.ExportRecords),
  RestoreRecords: componentLoader.add('RestoreRecords', componentFiles.RestoreRecords),
  DeletedRecord: componentLoader.add('DeletedRecord', componentFiles.DeletedRecord),
  IssueApiKey: componentLoader.add('IssueApiKey', componentFiles.IssueApiKey),
  ConfirmAction: componentLoader.add('ConfirmAction', componentFiles.ConfirmAction),
  ImportRecords: componentLoader.add('ImportRecords', componentFiles.ImportRecords),
  DatasetCharts: componentLoader.add('DatasetCharts', componentFiles.DatasetCharts),
  Probabilities: componentLoader.add('Probabilities', componentFiles.Probabilities),
  ModelCharts: componentLoader.add('ModelCharts', componentFiles.ModelCharts),
  DriftReport: componentLoader.add('DriftReport', componentFiles.DriftReport),
  ModelHub: componentLoader.add('ModelHub', componentFiles.ModelHub),
  DatasetHub: componentLoader.add('DatasetHub', componentFiles.DatasetHub),
  UserActivity: componentLoader.add('UserActivity', componentFiles.UserActivity),
  PersonEmail: componentLoader.add('PersonEmail', componentFiles.PersonEmail),
  BadgeList: componentLoader.add('BadgeList', componentFiles.BadgeList),
  VersionAccuracy: componentLoader.add('VersionAccuracy', componentFiles.VersionAccuracy),
  VersionAliases: componentLoader.add('VersionAliases', componentFiles.VersionAliases),
  VersionName: componentLoader.add('VersionName', componentFiles.VersionName),
  LongText: componentLoader.add('LongText', componentFiles.LongText),
  SearchReport: componentLoader.add('SearchReport', componentFiles.SearchReport),
  ReviewQueueForm: componentLoader.add('ReviewQueueForm', componentFiles.ReviewQueueForm),
  ReviewQueueProgress: componentLoader.add('ReviewQueueProgress', componentFiles.ReviewQueueProgress),
  ReviewQueueLinks: componentLoader.add('ReviewQueueLinks', componentFiles.ReviewQueueLinks),
  RecordInputCell: componentLoader.add('RecordInputCell', componentFiles.RecordInputCell),
  LabelCell: componentLoader.add('LabelCell', componentFiles.LabelCell),
  ScoreCell: componentLoader.add('ScoreCell', componentFiles.ScoreCell),
  StatusBadgeCell: componentLoader.add('StatusBadgeCell', componentFiles.StatusBadgeCell),
  TextCell: componentLoader.add('TextCell', componentFiles.TextCell),
  ReferenceCell: componentLoader.add('ReferenceCell', componentFiles.ReferenceCell),
  ChoiceFilter: componentLoader.add('ChoiceFilter', componentFiles.ChoiceFilter),
  TextFilter: componentLoader.add('TextFilter', componentFiles.TextFilter),
  ScoreRangeFilter: componentLoader.add('ScoreRangeFilter', componentFiles.ScoreRangeFilter),
  LabelSelect: componentLoader.add('LabelSelect', componentFiles.LabelSelect),
  RecordEditForm: componentLoader.add('RecordEditForm', componentFiles.RecordEditForm),
} as const;

// Every list gets the "Rows per page" control: AdminJS's list is wrapped, not copied.
componentLoader.override('DefaultListAction', componentFiles.ListWithPageSize);

// Every reference column's filter: offered only to roles that may search what it points to.
componentLoader.override('DefaultReferenceFilterProperty', componentFiles.ReferenceFilter);
// Every plain value in a list: one line, "…" past its column's width, whole on hover.
componentLoader.override('DefaultListProperty', componentFiles.ListValue);

/**
 * Help text of the columns every table has, and a show-page link to the audit log filtered to the
 * record (add 'history' to showProperties). Spread first into a resource's properties; a resource that
 * changes one of them spreads its entry (`...historyLink.createdAt`) to keep the help.
 */
export const historyLink = {
  id: {
    description:
      "The row's number, unique in this table and never reused; the API, the CLI and the audit log name rows by it.",
  },
  createdAt: { description: "When the row was created (your browser's time zone)." },
  updatedAt: { description: "When the row last changed (your browser's time zone)." },
  history: {
    description: 'Every audited action on this row, newest first, in the audit log.',
    components: { show: Components.RecordHistory },
    isVisible: { list: false, show: true, edit: false, filter: false },
  },
} as const;

/** Property options for a JSON column shown read-only as pretty-printed text. */
export const jsonShow = { components: { show: Components.JsonValue } } as const;
