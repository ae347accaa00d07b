import path from 'node:path';
import type { Request, Response } from 'express';
import { projectRoot } from '../src/platform/project-root.js';

/** ModelDesk's logo with its name (the sidebar, the sign-in form) and its mark alone (favicon, panels). */
export const LOGO_PATH = '/admin/assets/modeldesk-logo.svg';
export const ICON_PATH = '/admin/assets/modeldesk-icon.svg';
/** ModelDesk's few rules over AdminJS's look, on every console page. */
export const STYLESHEET_PATH = '/admin/assets/console.css';

const FILES: Readonly<Record<string, string>> = {
  'modeldesk-logo.svg': path.join(projectRoot, 'admin', 'assets', 'modeldesk-logo.svg'),
  'modeldesk-icon.svg': path.join(projectRoot, 'admin', 'assets', 'modeldesk-icon.svg'),
  'console.css': path.join(projectRoot, 'admin', 'assets', 'console.css'),
};

/** Served before sign-in (the sign-in page shows them), from this site: the CSP allows only 'self' images and styles. */
export function sendBrandingAsset(req: Request, res: Response): void {
  const file = FILES[String(req.params.file)];
  if (!file) {
    res.status(404).type('text').send('No such file.');
    return;
  }
  res
    .type(file.endsWith('.css') ? 'text/css' : 'image/svg+xml')
    .set('Cache-Control', 'public, max-age=86400')
    .sendFile(file);
}
