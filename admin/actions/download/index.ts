import type { Action, ActionResponse } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { ModelVersion } from '../../../models/index.js';
import { decide } from '../../../src/access/decide.js';
import { actorOf } from '../../current-admin.js';

/** "Download ONNX": AdminJS actions cannot stream a file, so the action sends the browser to the route below. */
export const download: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  icon: 'Download',
  component: false,
  handler: async (_request, _response, { record, currentAdmin }) => ({
    record: record!.toJSON(currentAdmin),
    redirectUrl: `/admin/model-versions/${record!.id()}/onnx`,
  }),
};

/** GET /admin/model-versions/:id/onnx: the exact bytes, as a file download, never rendered inline. */
export async function sendOnnx(req: Request, res: Response, next: NextFunction) {
  try {
    const actor = actorOf(req.session.adminUser);
    if (decide(actor, 'modelVersions', 'download') !== true) {
      res.status(403).json({ error: 'forbidden', message: 'Your role may not download model files.' });
      return;
    }
    const id = Number(req.params.id);
    const version = Number.isInteger(id) ? await ModelVersion.unscoped().findByPk(id, { include: ['model'] }) : null;
    if (!version) {
      res.status(404).json({ error: 'not_found', message: `Model version ${req.params.id} does not exist.` });
      return;
    }
    const name = (version.get('model') as { name: string } | undefined)?.name ?? 'model';
    // res.attachment quotes and encodes the name (RFC 6266/5987): a model name with quotes, line breaks or
    // non-ASCII letters can neither break the header nor choose another file type.
    res.attachment(`${name}-v${version.version}.onnx`);
    res.set({ 'Content-Type': 'application/octet-stream', 'X-Content-SHA256': version.sha256, 'Cache-Control': 'no-store' });
    res.send(version.onnx);
  } catch (error) {
    next(error);
  }
}
