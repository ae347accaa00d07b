import type { LocaleTranslations } from 'adminjs';
import { recordDeleteTranslations } from './record-delete-words.js';

/** English labels and messages for the console (resource names, login errors). */
export const translations: LocaleTranslations = {
  labels: {
    users: 'Users',
    apiKeys: 'API keys',
    datasets: 'Datasets',
    records: 'Records',
    models: 'Models',
    modelVersions: 'Model versions',
    modelAliases: 'Model aliases',
    jobs: 'Jobs',
    inferenceStats: 'Inference stats',
    auditEvents: 'Audit events',
  },
  // Custom action buttons.
  actions: {
    train: 'Retrain',
    compare: 'Compare versions',
    charts: 'Charts',
    promote: 'Promote',
    rollback: 'Roll back',
    download: 'Download ONNX',
    cancel: 'Cancel job',
    verify: 'Verify chain',
    export: 'Export',
    history: 'History',
    upload: 'Upload ONNX',
    importCsv: 'Import CSV',
    score: 'Score dataset',
    scoreSelected: 'Score with model…',
    scoreMatching: 'Score all matching…',
    bulkEdit: 'Bulk edit',
    bulkEditMatching: 'Edit all matching…',
    restoreDeleted: 'Restore deleted',
    issue: 'Issue API key',
    revoke: 'Revoke',
    revert: 'Revert a change…',
    restoreVersion: 'Restore to this version',
  },
  // Column labels: references read as the thing they point at, not as an id.
  properties: {
    datasetId: 'Dataset',
    modelId: 'Model',
    versionId: 'Version',
    modelVersionId: 'Model version',
    scoredByVersionId: 'Scored by version',
    parentVersionId: 'Parent version',
    createdById: 'Created by',
    updatedById: 'Updated by',
    ownerId: 'Owner',
    actorLabel: 'Actor',
    actorRole: 'Role',
    actorType: 'Actor type',
    actorId: 'Actor id',
    recordIds: 'Record ids',
    progressDone: 'Done',
    progressTotal: 'Total',
    sizeBytes: 'Size (bytes)',
    sha256: 'SHA-256',
    latencySumMs: 'Latency sum (ms)',
    newPassword: 'New password',
    q: 'Contains text',
    changes: 'Changes',
  },
  // AdminJS's stock sign-in texts (its page is replaced by LoginPage.tsx; these keep its words ours anyway).
  components: {
    Login: {
      welcomeHeader: 'ModelDesk',
      welcomeMessage: 'Data, models and audit in one console.',
      properties: { email: 'Email', password: 'Password' },
      loginButton: 'Sign in',
    },
  },
  messages: {
    invalidCredentials:
      'Wrong email or password, or the account is locked or inactive. Check both and try again; after 5 failures wait 15 minutes or ask an admin to reset the password.',
    tooManyRequests: 'Too many sign-in attempts from this address. Wait a minute and try again.',
    loginWelcome: 'ModelDesk: data, models and audit in one console.',
    anyForbiddenError: 'Your role may not do this; ask an admin if you need it.',
  },
  // Per resource, read before the general ones above.
  resources: { records: recordDeleteTranslations },
};
