import { readFile } from 'node:fs/promises';
import type { Action, ActionResponse } from 'adminjs';
import * as z from 'zod';
import { DomainError, InvalidInput } from '../../../src/errors/domain-error.js';
import type { ModelCheckLimits } from '../../../src/registry/check-model.js';
import { checkUploadSize, uploadVersion } from '../../../src/registry/upload-version.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import { uploadedFile, type UploadSpec } from '../../uploads.js';

/** The form's text fields; the file comes only from the multipart parser, through uploadedFile(). */
const UploadForm = z.object({
  labels: z.string().max(10_000).optional(),
});

/**
 * "Upload ONNX": a multipart form with the .onnx file and, optionally, the class labels in output order.
 * The file is validated and evaluated right away (src/registry/upload-version.ts) and the browser is
 * sent to the new version. Temp files are removed after every request (admin/uploads.ts).
 */
/** Refusals by the capped check (check-model.ts): answered 422 with the code, not only as a notice. */
const CHECK_LIMIT_CODES = new Set([
  'onnx.check_memory',
  'onnx.check_timeout',
  'onnx.check_crashed',
  'onnx.check_unavailable',
]);

export function upload(maxUploadBytes: number, check?: ModelCheckLimits): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    icon: 'Upload',
    component: Components.UploadVersion,
    // maxUploadBytes: read by the form to refuse an oversized file before sending it.
    custom: {
      maxUploadBytes,
      upload: {
        field: 'file',
        maxBytes: maxUploadBytes,
        setting: 'MAX_MODEL_UPLOAD_MB',
        advice: 'export a smaller model',
      } satisfies UploadSpec,
    },
    handler: actionHandler(async (request, response, { record, currentAdmin, h }) => {
      if (request.method !== 'post') return { record: record!.toJSON(currentAdmin) };
      const form = UploadForm.parse({ labels: request.payload?.labels as unknown });
      const file = uploadedFile(request);
      if (!file) throw new InvalidInput('onnx.no_file', 'Choose the .onnx file to upload.', { file: 'required' });
      const fileName = file.name || 'model.onnx';
      checkUploadSize(fileName, file.size, maxUploadBytes);
      let result;
      try {
        result = await uploadVersion(
          actorOf(currentAdmin),
          { modelId: Number(record!.id()), fileName, bytes: await readFile(file.path), labels: form.labels },
          { maxBytes: maxUploadBytes, check },
        );
      } catch (error) {
        if (!(error instanceof DomainError) || !CHECK_LIMIT_CODES.has(error.code)) throw error;
        (response as { status(code: number): unknown }).status(error.code === 'onnx.check_unavailable' ? 503 : 422);
        return {
          record: record!.toJSON(currentAdmin),
          notice: { type: 'error', message: error.message },
          error: error.code,
          message: error.message,
        };
      }
      const accuracy =
        result.accuracy === null
          ? 'no labelled test rows to evaluate on'
          : `test accuracy ${(result.accuracy * 100).toFixed(1)}% on ${result.testRows} rows`;
      return {
        record: record!.toJSON(currentAdmin),
        notice: {
          type: 'success',
          message: `${result.model} v${result.version.version} uploaded from ${fileName}: ${accuracy}.`,
        },
        redirectUrl: h.recordActionUrl({
          resourceId: 'modelVersions',
          recordId: String(result.version.id),
          actionName: 'show',
        }),
      };
    }),
  };
}
