import type { Action, ActionResponse } from 'adminjs';
import * as z from 'zod';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { checkImportSize, storeImportFile } from '../../../src/records/import/import-file.js';
import { queueImport } from '../../../src/records/import/queue-import.js';
import { actionHandler } from '../../action-handler.js';
import { Components } from '../../components.js';
import { actorOf } from '../../current-admin.js';
import { uploadedFile, type UploadSpec } from '../../uploads.js';

/** The form's second and third steps: the mapping travels as JSON text (multipart and JSON bodies alike). */
const ImportStep = z.object({
  mode: z.enum(['dry-run', 'apply']),
  fileId: z.coerce.number().int().positive(),
  mapping: z
    .string()
    .max(200_000)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'the column mapping is not JSON' });
        return z.NEVER;
      }
    }),
  skipInvalid: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true')
    .default(false),
  importAgain: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true')
    .default(false),
});

/**
 * "Import CSV" on a dataset, in three POSTs from one form: the file (stored in Postgres, answered with
 * its columns, sample rows and a default mapping), then a dry run and an apply, each queued as an
 * `import` job whose progress and result the form follows. GET only shows the form.
 */
export function importCsv(maxImportBytes: number): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    icon: 'Upload',
    component: Components.ImportRecords,
    // maxImportBytes: read by the form to refuse an oversized file before sending it.
    custom: {
      maxImportBytes,
      upload: {
        field: 'file',
        maxBytes: maxImportBytes,
        setting: 'MAX_IMPORT_MB',
        advice: 'split the CSV into smaller files',
      } satisfies UploadSpec,
    },
    handler: actionHandler(async (request, _response, { record, currentAdmin }) => {
      const base = { record: record!.toJSON(currentAdmin) };
      if (request.method !== 'post') return base;
      const payload: Record<string, unknown> = request.payload ?? {};
      const actor = actorOf(currentAdmin);
      const datasetId = Number(record!.id());
      // Only the multipart parser's own file (admin/uploads.ts): a `file` in the payload never gets here.
      const file = uploadedFile(request);
      if (file) {
        const fileName = file.name || 'import.csv';
        checkImportSize(fileName, file.size, maxImportBytes);
        const upload = await storeImportFile(
          actor,
          { datasetId, fileName, path: file.path, sizeBytes: file.size },
          maxImportBytes,
        );
        return { ...base, upload };
      }
      if (payload.mode === undefined)
        throw new InvalidInput('import.no_file', 'Choose the CSV file to import.', { file: 'required' });
      const step = ImportStep.parse(payload);
      const job = await queueImport(
        actor,
        {
          fileId: step.fileId,
          mode: step.mode,
          skipInvalid: step.skipInvalid,
          importAgain: step.importAgain,
          mapping: step.mapping,
        },
        datasetId,
      );
      return { ...base, job: { id: job.id, mode: step.mode } };
    }),
  };
}
