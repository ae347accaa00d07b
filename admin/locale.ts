import type { LocaleTranslations } from 'adminjs';

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
  messages: {
    invalidCredentials:
      'Wrong email or password, or the account is locked or inactive. Check both and try again; after 5 failures wait 15 minutes or ask an admin to reset the password.',
    tooManyRequests: 'Too many sign-in attempts from this address. Wait a minute and try again.',
    loginWelcome: 'ModelDesk: data, models and audit in one console.',
    anyForbiddenError: 'Your role may not do this.',
  },
};
