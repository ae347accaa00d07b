import AdminJSExpress from '@adminjs/express';
import AdminJS, { type ResourceWithOptions } from 'adminjs';
import { Router } from 'express';
import type { SessionOptions } from 'express-session';
import type { ConsoleMount } from '../src/server/app.js';
import type { Config } from '../src/platform/config.js';
import { sameOriginOnly } from '../src/server/csrf.js';
import { checkConsole, type CheckResult } from '../src/web/startup-checks.js';
import type { ResourceId } from '../src/access/rules.js';
import { SERVICE_ACTIONS } from '../src/access/service-actions.js';
import { DEFAULT_MAX_UPLOAD_MB, MEGABYTE } from '../src/registry/upload-version.js';
import { DEFAULT_MODEL_CHECK_LIMITS, type ModelCheckLimits } from '../src/registry/check-model.js';
import { DEFAULT_MAX_IMPORT_MB } from '../src/records/import/import-file.js';
import { DEFAULT_HEARTBEAT_SECONDS } from '../src/jobs/queue.js';
import { apiKeyResource } from '../resources/api-key.resource.js';
import { auditEventResource } from '../resources/audit-event.resource.js';
import { datasetResource } from '../resources/dataset.resource.js';
import { inferenceStatResource } from '../resources/inference-stat.resource.js';
import { jobResource } from '../resources/job.resource.js';
import { reviewQueueResource } from '../resources/review-queue.resource.js';
import { mlModelResource } from '../resources/ml-model.resource.js';
import { modelAliasResource } from '../resources/model-alias.resource.js';
import { modelVersionResource } from '../resources/model-version.resource.js';
import { recordResource } from '../resources/record.resource.js';
import { userResource } from '../resources/user.resource.js';
import { BUILT_IN_ACTIONS } from './access.js';
import { sendAuditExport } from './actions/export-audit/index.js';
import { sendChangeSetExport } from './actions/change-set-changes/index.js';
import { sendRecordsExport } from './actions/export-records/index.js';
import { sendOnnx } from './actions/download/index.js';
import { auditLogout, authenticate, refreshSessionUser } from './auth.js';
import { withReferenceSearchRoles } from './reference-search.js';
import { componentFiles, componentLoader, Components } from './components.js';
import { dashboardHandler } from './dashboard.js';
import { chartCache } from '../src/charts/chart-cache.js';
import { enforceConsoleAccess } from './enforce-access.js';
import { redirectDeletedRecords } from './deleted-record-redirect.js';
import { checkConsoleForm } from './console-form.js';
import { checkConsoleQuery, refuseGetOfNew } from './console-query.js';
import { translations } from './locale.js';
import { ICON_PATH, LOGO_PATH, sendBrandingAsset, STYLESHEET_PATH } from './branding.js';
import {
  guardUploadedFiles,
  parseConsoleBodies,
  refuseAnonymousUploads,
  refuseLargeUploads,
  refuseOversizedUploads,
  removeUploadedFiles,
  uploadRoutes,
} from './uploads.js';

export const ROOT_PATH = '/admin';
const LOGIN_PATH = `${ROOT_PATH}/login`;

/** What the console takes from the configuration. */
export interface ConsoleSettings {
  /** MAX_MODEL_UPLOAD_MB in bytes. */
  maxUploadBytes: number;
  /** MAX_IMPORT_MB in bytes. */
  maxImportBytes: number;
  /** JOB_HEARTBEAT_SECONDS (the dashboard's stalled-job check). */
  heartbeatSeconds: number;
  /** MODEL_CHECK_MAX_MEMORY_MB and MODEL_CHECK_TIMEOUT_SECONDS: the caps on checking an uploaded model. */
  modelCheck: ModelCheckLimits;
}

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = {
  maxUploadBytes: DEFAULT_MAX_UPLOAD_MB * MEGABYTE,
  maxImportBytes: DEFAULT_MAX_IMPORT_MB * MEGABYTE,
  heartbeatSeconds: DEFAULT_HEARTBEAT_SECONDS,
  modelCheck: DEFAULT_MODEL_CHECK_LIMITS,
};

export function consoleSettings(config: Config): ConsoleSettings {
  return {
    maxUploadBytes: config.MAX_MODEL_UPLOAD_MB * MEGABYTE,
    maxImportBytes: config.MAX_IMPORT_MB * MEGABYTE,
    heartbeatSeconds: config.JOB_HEARTBEAT_SECONDS,
    modelCheck: { maxMemoryMb: config.MODEL_CHECK_MAX_MEMORY_MB, timeoutSeconds: config.MODEL_CHECK_TIMEOUT_SECONDS },
  };
}

export function consoleResources(settings: ConsoleSettings = DEFAULT_CONSOLE_SETTINGS): ResourceWithOptions[] {
  return withReferenceSearchRoles([
    datasetResource(settings),
    recordResource(),
    mlModelResource(settings),
    modelVersionResource(),
    modelAliasResource(),
    jobResource(),
    reviewQueueResource(),
    inferenceStatResource(),
    auditEventResource(),
    userResource(),
    apiKeyResource(),
  ]);
}

export function createAdmin(settings: ConsoleSettings = DEFAULT_CONSOLE_SETTINGS): AdminJS {
  return new AdminJS({
    rootPath: ROOT_PATH,
    loginPath: LOGIN_PATH,
    logoutPath: `${ROOT_PATH}/logout`,
    resources: consoleResources(settings),
    componentLoader,
    dashboard: {
      component: Components.Dashboard,
      handler: dashboardHandler({ heartbeatSeconds: settings.heartbeatSeconds }),
    },
    branding: {
      companyName: 'ModelDesk',
      withMadeWithLove: false,
      logo: LOGO_PATH,
      favicon: ICON_PATH,
      // A narrower navigation (AdminJS: 300 px) leaves a 1440 px screen about as much room for the
      // page as a 1280 px one has with the navigation folded behind its menu button.
      theme: { sizes: { sidebarWidth: '240px' } },
    },
    assets: { styles: [STYLESHEET_PATH] },
    locale: { language: 'en', availableLanguages: ['en'], translations: { en: translations } },
  });
}

/** Startup checks over what the console declares (MD-E001…MD-E003). */
export function consoleChecks(): CheckResult[] {
  const actions = Object.fromEntries(
    consoleResources().map((r) => {
      const id = String(r.options?.id) as ResourceId;
      return [id, [...Object.keys(r.options?.actions ?? {}), ...(SERVICE_ACTIONS[id] ?? [])]];
    }),
  ) as Record<ResourceId, string[]>;
  return checkConsole({ actions, builtIns: BUILT_IN_ACTIONS, componentFiles: Object.values(componentFiles) });
}

/**
 * The AdminJS console as a router for createApp(). The session and CSRF middleware run in front of it
 * (src/server/app.ts); here: reload the user, refuse forbidden routes with 403, audit logout, then AdminJS.
 */
export function buildConsole(config: Config, sessionOptions: SessionOptions & { secret: string }): ConsoleMount {
  const settings = consoleSettings(config);
  chartCache.configure(config.CHARTS_CACHE_SECONDS);
  const admin = createAdmin(settings);
  const router = Router();
  // AdminJS handlers treat every method but GET as a write; Express routes HEAD to GET handlers.
  router.use('/api', (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    res
      .status(405)
      .set('Allow', 'GET, POST')
      .json({
        error: 'method_not_allowed',
        message: `${req.method} is not supported here: use GET to read and POST to change.`,
      });
  });
  router.use(refreshSessionUser(config, LOGIN_PATH));
  // Malformed query strings and ids are refused (400) before the access check or AdminJS reads them.
  router.use(checkConsoleQuery(admin));
  router.use(enforceConsoleAccess(admin));
  router.use(redirectDeletedRecords());
  router.use(refuseGetOfNew);
  // GETs that write (the logout and the exports' audit events) must come from this site.
  router.get('/logout', sameOriginOnly, auditLogout);
  router.get('/model-versions/:id/onnx', sendOnnx);
  router.get('/assets/:file', sendBrandingAsset);
  router.get('/exports/audit-events.:format', sameOriginOnly, sendAuditExport);
  router.get('/exports/records.:format', sameOriginOnly, sendRecordsExport(admin));
  router.get('/exports/change-sets/:id.:format', sameOriginOnly, sendChangeSetExport);
  // @adminjs/express's refresh-token route serves auth providers, which the console does not use:
  // without one it throws outside Express's error handling (an unhandled rejection ends the process).
  router.post('/refresh-token', (_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'No such route.' });
  });
  router.use(refuseAnonymousUploads);
  // The upload routes are the actions that declare `custom.upload` (admin/uploads.ts): each body is
  // parsed here, with its route's limit, and every file passes the one guard before any action runs.
  const routes = uploadRoutes(consoleResources(settings));
  router.use(refuseOversizedUploads(routes));
  router.use(removeUploadedFiles);
  router.use(parseConsoleBodies(routes));
  // Every body is parsed by now (checkConsoleForm's own parser skips it): field names reaching for a
  // prototype, or holding NUL, are refused before AdminJS's flat/unflatten or a handler sees them.
  const formOptions = { maxFileSize: Math.min(...routes.map((l) => l.maxBytes)) };
  router.use(checkConsoleForm(formOptions));
  router.use(guardUploadedFiles(routes));
  AdminJSExpress.buildAuthenticatedRouter(
    admin,
    {
      authenticate,
      cookieName: 'modeldesk.sid',
      cookiePassword: sessionOptions.secret,
    },
    router,
    // createApp() installs the same session middleware in front, so AdminJS's own one is skipped;
    // given the same options it would at least not fall back to an in-memory store.
    sessionOptions,
    // Never used: parseConsoleBodies parsed every body already (AdminJS's parser then skips it); the
    // same smallest limit in case that ever changes.
    formOptions,
  );
  router.use(refuseLargeUploads(routes));
  return { path: ROOT_PATH, router, csrfTokenExempt: ['/login'] };
}
