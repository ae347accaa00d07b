import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { logger } from '../src/server/logger.js';

/** What express-formidable (inside @adminjs/express) leaves on the request for each file field. */
type WithFiles = Request & { files?: Record<string, { path?: unknown } | Array<{ path?: unknown }>> };

/**
 * formidable writes every uploaded file to the temp folder and never removes it: once the response
 * is done, whatever happened in between, delete the files this request brought.
 */
export function removeUploadedFiles(req: Request, res: Response, next: NextFunction) {
  res.once('close', () => {
    for (const field of Object.values((req as WithFiles).files ?? {})) {
      for (const file of Array.isArray(field) ? field : [field]) {
        if (typeof file.path === 'string') rm(file.path, { force: true }).catch((error: unknown) => logger.warn({ err: error }, 'could not remove an uploaded temp file'));
      }
    }
  });
  next();
}

/** One upload route's size limit, the setting that raises it, and what to do instead. */
export interface UploadLimit {
  /** Matched against the path inside the console router (e.g. /api/resources/models/records/7/upload). */
  path: RegExp;
  maxBytes: number;
  setting: string;
  advice: string;
}

/** What a multipart body adds around the file (boundaries, headers, the form's other fields). */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

function tooLarge(res: Response, limit: UploadLimit): void {
  const megabytes = Math.round((limit.maxBytes / (1024 * 1024)) * 10) / 10;
  res
    .status(413)
    .set('Connection', 'close')
    .json({ error: 'too_large', message: `The file is larger than the upload limit of ${megabytes} MB (${limit.setting}): ${limit.advice}, or ask an admin to raise the limit.` });
}

/**
 * Each upload route has its own limit but formidable has one for all (the largest): refuse a body
 * whose Content-Length is over the route's limit before a byte is written to disk. A body without a
 * length is stopped by formidable at the largest limit and the file checked by the action.
 */
export function refuseOversizedUploads(limits: readonly UploadLimit[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const limit = req.method === 'POST' && req.is('multipart/form-data') ? limits.find((l) => l.path.test(req.path)) : undefined;
    const length = Number(req.headers['content-length']);
    if (!limit || !Number.isFinite(length) || length <= limit.maxBytes + MULTIPART_OVERHEAD_BYTES) return next();
    tooLarge(res, limit);
  };
}

/** express-formidable (what @adminjs/express parses bodies with; it skips a body parsed already). */
const expressFormidable = createRequire(import.meta.url)('express-formidable') as (options: { maxFileSize: number }) => RequestHandler;

/**
 * Parses an upload route's body with that route's own limit, before AdminJS's parser (which has one
 * limit for every route and then finds the body parsed): formidable stops reading at the limit, so
 * a file one byte over it is refused (413, below) however the body was sent, and nothing more is
 * written to disk.
 */
export function parseUploadsWithTheirLimits(limits: readonly UploadLimit[]) {
  const parsers = limits.map((limit) => ({ limit, parse: expressFormidable({ maxFileSize: limit.maxBytes }) }));
  return (req: Request, res: Response, next: NextFunction) => {
    const found = req.method === 'POST' && req.is('multipart/form-data') ? parsers.find(({ limit }) => limit.path.test(req.path)) : undefined;
    if (!found) return next();
    found.parse(req, res, next);
  };
}

/** formidable stops reading at `maxFileSize` with a bare Error: answer 413 with what to do instead of a 500. */
export function refuseLargeUploads(limits: readonly UploadLimit[]) {
  const largest = limits.reduce((a, b) => (b.maxBytes > a.maxBytes ? b : a));
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof Error) || !/^maxFileSize exceeded/.test(error.message) || res.headersSent) return next(error);
    tooLarge(res, limits.find((l) => l.path.test(req.path)) ?? largest);
  };
}

/**
 * Only a signed-in user may send files: the login form (the one unsafe console route open to anyone)
 * is a plain form, so a multipart body there is refused before formidable writes a byte to disk.
 */
export function refuseAnonymousUploads(req: Request, res: Response, next: NextFunction) {
  if (req.session?.adminUser || !req.is('multipart/form-data')) return next();
  res.status(401).set('Connection', 'close').json({ error: 'unauthenticated', message: 'Sign in before uploading files.' });
}
