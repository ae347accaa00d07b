import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ActionRequest, ResourceWithOptions } from 'adminjs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { recordFailure } from '../src/audit/with-audit.js';
import { Forbidden } from '../src/errors/domain-error.js';
import { logger } from '../src/platform/logger.js';
import { actorOf } from './current-admin.js';
import { auditResourceName } from './features/audited-writes.js';

/** formidable 1's File, as express-formidable leaves it in `req.files`: already written to a temp file. */
interface FormidableFile {
  path?: unknown;
  name?: unknown;
  size?: unknown;
}

/** What express-formidable (inside @adminjs/express) leaves on the request. */
type ParsedRequest = Request & {
  fields?: Record<string, unknown>;
  files?: Record<string, FormidableFile | FormidableFile[]>;
  express_formidable?: { parsed?: boolean };
  [RECEIVED]?: ReceivedFiles;
};

/** A file the multipart parser wrote to its own temp folder, as an action may read it. */
export interface UploadedFile {
  /** Inside UPLOAD_DIR, named by formidable (random hex): never anything the client chose. */
  path: string;
  /** The client's file name: shown and audited, never used as a path. */
  name: string;
  size: number;
}

/** The folder formidable writes every upload to (given to it explicitly, so the guard can check). */
export const UPLOAD_DIR = path.resolve(os.tmpdir());

/**
 * What an upload action declares in its `custom.upload`: the form field carrying the file, its size
 * limit, the setting that raises it and what to do instead. The console's list of upload routes is
 * read from these declarations (uploadRoutes), so an action that takes a file is parsed with its own
 * limit and guarded without being listed anywhere else.
 */
export interface UploadSpec {
  field: string;
  maxBytes: number;
  setting: string;
  advice: string;
}

/** One upload route: the action that declared it and the path AdminJS serves it on. */
export interface UploadRoute extends UploadSpec {
  resourceId: string;
  action: string;
  /** Matched against the path inside the console router (e.g. /api/resources/models/records/7/upload). */
  path: RegExp;
}

/** Every record action that declares `custom.upload` (record actions are the only kind that take files). */
export function uploadRoutes(resources: readonly ResourceWithOptions[]): UploadRoute[] {
  return resources.flatMap((resource) =>
    Object.entries(resource.options?.actions ?? {}).flatMap(([action, declared]) => {
      const spec = ((declared as { custom?: unknown } | undefined)?.custom as { upload?: UploadSpec } | undefined)
        ?.upload;
      if (!spec) return [];
      const resourceId = String(resource.options?.id);
      return [
        {
          ...spec,
          resourceId,
          action,
          path: new RegExp(`^/api/resources/${escapeRegExp(resourceId)}/records/[^/]+/${escapeRegExp(action)}$`),
        },
      ];
    }),
  );
}

/**
 * Where the guard leaves a request's accepted file, out of AdminJS's reach: @adminjs/express merges
 * `req.fields` and `req.files` into one payload, so a JSON body's `{"file": {"path": …}}` looks exactly
 * like an uploaded file there. Actions read files only through `uploadedFile()`, never the payload.
 */
const RECEIVED = Symbol('modeldesk.uploadedFiles');
interface ReceivedFiles {
  accepted?: UploadedFile;
  /** Everything formidable wrote for this request, for the clean-up. */
  written: string[];
}

/** The file the multipart parser received for this action's declared field, if one was sent. */
export function uploadedFile(request: ActionRequest): UploadedFile | undefined {
  return (request as ActionRequest & { [RECEIVED]?: ReceivedFiles })[RECEIVED]?.accepted;
}

/**
 * formidable writes every uploaded file to the temp folder and never removes it: once the response
 * is done, whatever happened in between, delete the files this request brought.
 */
export function removeUploadedFiles(req: Request, res: Response, next: NextFunction) {
  res.once('close', () => {
    const parsed = req as ParsedRequest;
    const paths = new Set(parsed[RECEIVED]?.written ?? []);
    for (const file of filesOf(parsed)) if (typeof file.path === 'string') paths.add(file.path);
    for (const file of paths)
      rm(file, { force: true }).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not remove an uploaded temp file'),
      );
  });
  next();
}

function filesOf(req: ParsedRequest): FormidableFile[] {
  return Object.values(req.files ?? {}).flatMap((field) => (Array.isArray(field) ? field : [field]));
}

/** What a multipart body adds around the file (boundaries, headers, the form's other fields). */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

function tooLarge(res: Response, limit: UploadSpec): void {
  const megabytes = Math.round((limit.maxBytes / (1024 * 1024)) * 10) / 10;
  res
    .status(413)
    .set('Connection', 'close')
    .json({
      error: 'too_large',
      message: `The file is larger than the upload limit of ${megabytes} MB (${limit.setting}): ${limit.advice}, or ask an admin to raise the limit.`,
    });
}

/**
 * Each upload route has its own limit but formidable has one for all (the largest): refuse a body
 * whose Content-Length is over the route's limit before a byte is written to disk. A body without a
 * length is stopped by formidable at the largest limit and the file checked by the action.
 */
export function refuseOversizedUploads(routes: readonly UploadRoute[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const limit =
      req.method === 'POST' && req.is('multipart/form-data') ? routes.find((l) => l.path.test(req.path)) : undefined;
    const length = Number(req.headers['content-length']);
    if (!limit || !Number.isFinite(length) || length <= limit.maxBytes + MULTIPART_OVERHEAD_BYTES) return next();
    tooLarge(res, limit);
  };
}

/** express-formidable (what @adminjs/express parses bodies with; it skips a body parsed already). */
const expressFormidable = createRequire(import.meta.url)('express-formidable') as (options: {
  maxFileSize: number;
  uploadDir: string;
}) => RequestHandler;

/**
 * Parses every console body before AdminJS's parser (which then finds it parsed), so that
 * guardUploadedFiles sees each one before any action: an upload route with its own limit (formidable
 * stops reading at it, so a file one byte over is refused with 413 however the body was sent, and
 * nothing more is written to disk), any other route with the smallest limit (what AdminJS was given).
 */
export function parseConsoleBodies(routes: readonly UploadRoute[]) {
  const parsers = routes.map((route) => ({
    route,
    parse: expressFormidable({ maxFileSize: route.maxBytes, uploadDir: UPLOAD_DIR }),
  }));
  const other = expressFormidable({ maxFileSize: Math.min(...routes.map((r) => r.maxBytes)), uploadDir: UPLOAD_DIR });
  return (req: Request, res: Response, next: NextFunction) => {
    const found = req.method === 'POST' ? parsers.find(({ route }) => route.path.test(req.path)) : undefined;
    (found?.parse ?? other)(req, res, next);
  };
}

/** formidable stops reading at `maxFileSize` with a bare Error: answer 413 with what to do instead of a 500. */
export function refuseLargeUploads(routes: readonly UploadRoute[]) {
  const largest = routes.reduce((a, b) => (b.maxBytes > a.maxBytes ? b : a));
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof Error) || !/^maxFileSize exceeded/.test(error.message) || res.headersSent)
      return next(error);
    tooLarge(res, routes.find((l) => l.path.test(req.path)) ?? largest);
  };
}

/**
 * Only a signed-in user may send files: the login form (the one unsafe console route open to anyone)
 * is a plain form, so a multipart body there is refused before formidable writes a byte to disk.
 */
export function refuseAnonymousUploads(req: Request, res: Response, next: NextFunction) {
  if (req.session?.adminUser || !req.is('multipart/form-data')) return next();
  res
    .status(401)
    .set('Connection', 'close')
    .json({ error: 'unauthenticated', message: 'Sign in before uploading files.' });
}

/**
 * The one gate between the body parser and every console action. A file reaches an action only when
 * the multipart parser wrote it (it is in `req.files`, inside UPLOAD_DIR), on a route that declared
 * an upload, in the declared field; the action reads it with `uploadedFile()`. Anything that only
 * looks like a file is refused with 400 and audited as denied: a JSON or form field named like a file
 * field (`file`, `file.path`, `file[path]`…), an object with a `path` in an upload route's fields, a
 * file on a route that takes none or in another field. `req.files` is then emptied, so AdminJS's
 * payload never carries a file object an action could mistake for an upload.
 */
export function guardUploadedFiles(routes: readonly UploadRoute[]) {
  const fileFields = [...new Set(routes.map((r) => r.field))];
  return (req: Request, res: Response, next: NextFunction) => {
    const parsed = req as ParsedRequest;
    if (!parsed.express_formidable?.parsed) return next();
    const route = req.method === 'POST' ? routes.find((r) => r.path.test(req.path)) : undefined;
    const files = Object.entries(parsed.files ?? {});
    const written = filesOf(parsed).flatMap((f) => (typeof f.path === 'string' ? [f.path] : []));
    parsed[RECEIVED] = { written };
    parsed.files = {};
    const problem = refusalOf(parsed.fields ?? {}, files, route, fileFields);
    if (problem) {
      refuse(req, res, route, problem).catch(next);
      return;
    }
    const sent = route && files.find(([field]) => field === route.field)?.[1];
    if (sent && !Array.isArray(sent) && typeof sent.path === 'string') {
      parsed[RECEIVED].accepted = {
        path: sent.path,
        name: typeof sent.name === 'string' ? sent.name : '',
        size: typeof sent.size === 'number' ? sent.size : 0,
      };
    }
    next();
  };
}

function refusalOf(
  fields: Record<string, unknown>,
  files: ReadonlyArray<[string, FormidableFile | FormidableFile[]]>,
  route: UploadRoute | undefined,
  fileFields: readonly string[],
): string | undefined {
  const named = Object.keys(fields).find((key) =>
    fileFields.some((f) => key === f || key.startsWith(`${f}.`) || key.startsWith(`${f}[`)),
  );
  if (named !== undefined) {
    return `"${named}" came as an ordinary field: a file can only be sent as the file part of a multipart form (choose the file in the form), never as a path or a JSON object.`;
  }
  if (route && Object.entries(fields).some(([, value]) => holdsPath(value))) {
    return 'The form carries an object with a "path": files are taken only from the multipart upload itself, never from a path named in the request.';
  }
  if (files.length === 0) return undefined;
  if (!route) return 'This action takes no files: send the form without a file.';
  for (const [field, sent] of files) {
    if (field !== route.field)
      return `This form takes one file, in the field "${route.field}"; "${field}" is not a file field.`;
    if (Array.isArray(sent)) return `Send one file in "${route.field}", not several.`;
    if (typeof sent.path !== 'string' || path.dirname(path.resolve(sent.path)) !== UPLOAD_DIR)
      return 'The uploaded file was not received by the upload parser: send it again.';
  }
  return undefined;
}

/** Any object (at any depth, arrays included) with a `path` property. */
function holdsPath(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 20) return false;
  if (!Array.isArray(value) && Object.hasOwn(value, 'path')) return true;
  return Object.values(value).some((inner) => holdsPath(inner, depth + 1));
}

async function refuse(req: Request, res: Response, route: UploadRoute | undefined, message: string): Promise<void> {
  const target = route ?? targetOf(req.path);
  const recordId = /\/records\/([^/]+)\//.exec(req.path)?.[1];
  await recordFailure(
    actorOf(req.session?.adminUser),
    {
      action: target
        ? `${auditResourceName(target.resourceId)}.${auditResourceName(target.action)}`
        : 'console.request',
      resource: target?.resourceId ?? 'console',
      recordIds: recordId ? [safeDecode(recordId)] : [],
      after: { path: req.path },
    },
    new Forbidden('upload.not_a_file', message),
  ).catch((error: unknown) => logger.error({ err: error }, 'could not record a refused upload'));
  res.status(400).set('Connection', 'close').json({ error: 'upload.not_a_file', message });
}

function targetOf(routePath: string): { resourceId: string; action: string } | undefined {
  const match = /^\/api\/resources\/([^/]+)\/(?:records\/[^/]+\/([^/]+)|actions\/([^/]+)|bulk\/([^/]+))/.exec(
    routePath,
  );
  if (!match) return undefined;
  return { resourceId: safeDecode(match[1]!), action: safeDecode(match[2] ?? match[3] ?? match[4]!) };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
