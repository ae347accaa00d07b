import { rm } from 'node:fs/promises';
import type { NextFunction, Request, Response } from 'express';
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

/** formidable stops reading at `maxFileSize` with a bare Error: answer 413 with what to do instead of a 500. */
export function refuseLargeUploads(maxUploadBytes: number) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof Error) || !/^maxFileSize exceeded/.test(error.message) || res.headersSent) return next(error);
    const limit = Math.round((maxUploadBytes / (1024 * 1024)) * 10) / 10;
    res
      .status(413)
      .set('Connection', 'close')
      .json({ error: 'too_large', message: `The file is larger than the upload limit of ${limit} MB (MAX_MODEL_UPLOAD_MB): export a smaller model, or ask an admin to raise the limit.` });
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
