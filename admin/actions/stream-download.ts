import type { NextFunction, Response } from 'express';
import { Forbidden } from '../../src/errors/domain-error.js';
import { logger } from '../../src/platform/logger.js';

/** The download formats of the console's exports and their content types. */
export const DOWNLOAD_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' } as const;
export type DownloadFormat = keyof typeof DOWNLOAD_TYPES;

export const isDownloadFormat = (format: string | undefined): format is DownloadFormat =>
  format !== undefined && format in DOWNLOAD_TYPES;

/**
 * Sends `write`'s output as a file download (`<name>-<timestamp>.<format>`, never cached). A refusal
 * before the first byte is a 403 with the reason; a failure part-way ends the connection abruptly,
 * so the download shows as failed instead of complete.
 */
export async function streamDownload(
  res: Response,
  next: NextFunction,
  name: string,
  format: DownloadFormat,
  write: () => Promise<unknown>,
): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.attachment(`${name}-${stamp}.${format}`);
  // no-transform: the compression middleware leaks a 'drain' listener per backpressure wait of a stream it
  // wraps (its res.on forwards to gzip, its removeListener does not), so large exports go uncompressed.
  res.set({ 'Content-Type': DOWNLOAD_TYPES[format], 'Cache-Control': 'no-store, no-transform' });
  try {
    await write();
    res.end();
  } catch (error) {
    if (error instanceof Forbidden && !res.headersSent) {
      res.status(403).set('Content-Type', 'application/json').json({ error: 'forbidden', message: error.message });
      return;
    }
    logger.error({ err: error, download: name }, 'export failed');
    if (res.headersSent) res.destroy(error as Error);
    else next(error);
  }
}
