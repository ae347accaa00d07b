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
  ScoreForm: source('ScoreForm.tsx'),
  IssueApiKey: source('IssueApiKey.tsx'),
  ConfirmAction: source('ConfirmAction.tsx'),
  ImportRecords: source('ImportRecords.tsx'),
  DatasetCharts: source('DatasetCharts.tsx'),
  Probabilities: source('Probabilities.tsx'),
  ModelCharts: source('ModelCharts.tsx'),
  LoginPage: source('LoginPage.tsx'),
  LabelSelect: source('LabelSelect.tsx'),
  RecordEditForm: source('RecordEditForm.tsx'),
  ReferenceFilter: source('ReferenceFilter.tsx'),
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
  RecordChangeHistory: componentLoader.add('RecordChangeHistory', componentFiles.RecordChangeHistory),
  RevertChangeSet: componentLoader.add('RevertChangeSet', componentFiles.RevertChangeSet),
  AuditValue: componentLoader.add('AuditValue', componentFiles.AuditValue),
  ScoreForm: componentLoader.add('ScoreForm', componentFiles.ScoreForm),
  AliasHistory: componentLoader.add('AliasHistory', componentFiles.AliasHistory),
  UploadVersion: componentLoader.add('UploadVersion', componentFiles.UploadVersion),
  BulkEditForm: componentLoader.add('BulkEditForm', componentFiles.BulkEditForm),
  ExportRecords: componentLoader.add('ExportRecords', componentFiles.ExportRecords),
  RestoreRecords: componentLoader.add('RestoreRecords', componentFiles.RestoreRecords),
  IssueApiKey: componentLoader.add('IssueApiKey', componentFiles.IssueApiKey),
  ConfirmAction: componentLoader.add('ConfirmAction', componentFiles.ConfirmAction),
  ImportRecords: componentLoader.add('ImportRecords', componentFiles.ImportRecords),
  DatasetCharts: componentLoader.add('DatasetCharts', componentFiles.DatasetCharts),
  Probabilities: componentLoader.add('Probabilities', componentFiles.Probabilities),
  ModelCharts: componentLoader.add('ModelCharts', componentFiles.ModelCharts),
  LabelSelect: componentLoader.add('LabelSelect', componentFiles.LabelSelect),
  RecordEditForm: componentLoader.add('RecordEditForm', componentFiles.RecordEditForm),
} as const;

// Every reference column's filter: offered only to roles that may search what it points to.
componentLoader.override('DefaultReferenceFilterProperty', componentFiles.ReferenceFilter);

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
