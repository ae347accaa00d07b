import type { Action, ActionResponse } from 'adminjs';
import type { NextFunction, Request, Response } from 'express';
import { Forbidden } from '../../../src/errors/domain-error.js';
import { modelFile } from '../../../src/registry/model-file.js';
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
    const file = await modelFile(actorOf(req.session.adminUser), Number(req.params.id));
    if (!file) {
      res.status(404).json({ error: 'not_found', message: `Model version ${req.params.id} does not exist.` });
      return;
    }
    // res.attachment quotes and encodes the name (RFC 6266/5987): a model name with quotes, line breaks or
    // non-ASCII letters can neither break the header nor choose another file type.
    res.attachment(file.fileName);
    res.set({
      'Content-Type': 'application/octet-stream',
      'X-Content-SHA256': file.sha256,
      'Cache-Control': 'no-store',
    });
    res.send(file.bytes);
  } catch (error) {
    if (error instanceof Forbidden) res.status(403).json({ error: 'forbidden', message: error.message });
    else next(error);
  }
}
