import type AdminJS from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { decide } from '../src/access/decide.js';
import { refusalMessage } from '../src/access/refusal-message.js';
import { RULES } from '../src/access/rules.js';
import { recordFailure } from '../src/audit/with-audit.js';
import { Forbidden } from '../src/errors/domain-error.js';
import { logger } from '../src/platform/logger.js';
import { ICON_PATH } from './branding.js';
import { actorOf } from './current-admin.js';
import { auditResourceName } from './features/audited-writes.js';

// AdminJS answers a forbidden action with HTTP 200 and an error notice. Access control must say 403
// to any client, so every console route naming a resource and an action is checked here first.
const ROUTES: ReadonlyArray<{ pattern: RegExp; kind: 'resource' | 'record' | 'bulk' | 'search' }> = [
  { pattern: /^\/(?:api\/)?resources\/([^/]+)\/actions\/([^/]+)(?:\/.*)?$/i, kind: 'resource' },
  { pattern: /^\/(?:api\/)?resources\/([^/]+)\/records\/([^/]+)\/([^/]+)\/?$/i, kind: 'record' },
  { pattern: /^\/(?:api\/)?resources\/([^/]+)\/bulk\/([^/]+)\/?$/i, kind: 'bulk' },
  { pattern: /^\/api\/resources\/([^/]+)\/search(?:\/.*)?$/i, kind: 'search' },
  { pattern: /^\/resources\/([^/]+)\/?$/i, kind: 'resource' },
];

interface Target {
  resourceId: string;
  action: string;
  recordIds: string[];
}

function targetOf(path: string, query: Request['query']): Target | undefined {
  for (const { pattern, kind } of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    // A part that is not percent-encoded UTF-8 names nothing here: Express refuses it (400) when it routes.
    const decoded = match.map((part) => (part === undefined ? part : safeDecode(part)));
    if (decoded.includes(null)) return undefined;
    const [, resourceId = '', a = '', b = ''] = decoded as Array<string | undefined>;
    switch (kind) {
      case 'resource':
        return { resourceId, action: a || 'list', recordIds: [] };
      case 'record':
        return { resourceId, action: b, recordIds: [a] };
      case 'bulk':
        return {
          resourceId,
          action: a,
          recordIds: String(query.recordIds ?? '')
            .split(',')
            .filter(Boolean),
        };
      case 'search':
        return { resourceId, action: 'search', recordIds: [] };
    }
  }
  return undefined;
}

/** 403 (and a `denied` audit event) for any console route the signed-in role may not use. */
export function enforceConsoleAccess(admin: AdminJS) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const target = targetOf(req.path, req.query);
      // Not a resource route, an unknown resource (AdminJS answers 404), or nobody signed in (AdminJS
      // sends them to the login page): nothing to decide here.
      if (!target || !(target.resourceId in RULES) || !req.session?.adminUser) return next();
      const actor = actorOf(req.session.adminUser);
      const decision = decide(actor, target.resourceId, target.action);
      let allowed = decision !== false;
      if (allowed && typeof decision === 'object' && target.recordIds.length > 0) {
        const resource = admin.findResource(target.resourceId);
        const records = await resource.findMany(target.recordIds);
        allowed =
          records.length === target.recordIds.length &&
          records.every((record) => decide(actor, target.resourceId, target.action, record.params) === true);
      }
      if (allowed) return next();

      const message = refusalMessage(actor, target.resourceId, target.action, target.recordIds);
      await recordFailure(
        actor,
        {
          action: `${auditResourceName(target.resourceId)}.${auditResourceName(target.action)}`,
          resource: target.resourceId,
          recordIds: target.recordIds,
        },
        new Forbidden('access.denied', message),
      ).catch((error: unknown) => logger.error({ err: error }, 'could not record a denied console request'));
      if (req.path.startsWith('/api/')) {
        res.status(403).json({ error: 'forbidden', message });
      } else {
        res
          .status(403)
          .type('html')
          .send(
            `<!doctype html><html lang="en"><title>Not allowed · ModelDesk</title><link rel="icon" href="${ICON_PATH}"><body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5"><h1>Not allowed</h1><p>${escapeHtml(message)}</p><p><a href="/admin">Back to the console</a></p></body></html>`,
          );
      }
    } catch (error) {
      next(error);
    }
  };
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
