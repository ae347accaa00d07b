import canonicalize from 'canonicalize';
import { Dataset, Job } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { Conflict } from '../../errors/domain-error.js';
import { enqueueJob } from '../../jobs/enqueue-job.js';
import { checkMayImport } from './import-access.js';
import { planImport } from './import-mapping.js';
import { findEarlierImports, findImportFile } from './stored-import-files.js';
import { duplicateFileRefused, ImportParams, type ImportResult } from './run-import.js';

/**
 * Queues a dry run or an apply of a stored CSV as an `import` job (progress on the job's page). The
 * mapping is checked now, so a wrong one is refused at once. Apply needs a finished dry run of the
 * same file and mapping without invalid rows, or "skip invalid rows" ticked; the apply checks every
 * row again anyway, so nothing invalid is written whatever happened in between.
 */
export async function queueImport(actor: Actor, raw: unknown, datasetId?: number): Promise<Job> {
  const params = ImportParams.parse(raw);
  checkMayImport(actor);
  const file = await findImportFile(params.fileId);
  if (datasetId !== undefined && file.datasetId !== datasetId)
    throw new Conflict(
      'import.other_dataset',
      `Upload ${file.id} belongs to another dataset: upload the CSV from this dataset's "Import CSV".`,
    );
  planImport(file.columns, (await Dataset.findByPk(file.datasetId))!, params.mapping);
  if (params.mode === 'apply') {
    if (!params.importAgain) {
      const earlier = await findEarlierImports(file);
      if (earlier.length > 0) throw duplicateFileRefused(earlier);
    }
    const dryRun = await latestDryRun(params.fileId, canonicalize(params.mapping)!);
    if (!dryRun)
      throw new Conflict(
        'import.no_dry_run',
        'Run the dry run with this mapping first: it shows what the import would do and which rows are invalid.',
      );
    if (dryRun.invalidRows > 0 && !params.skipInvalid) {
      throw new Conflict(
        'import.dry_run_errors',
        `The dry run found ${dryRun.invalidRows} invalid row(s): fix the file or the mapping and run it again, or tick "skip invalid rows" to import only the ${dryRun.inserts + dryRun.updates + (dryRun.unchanged ?? 0)} valid ones.`,
      );
    }
  }
  return enqueueJob(actor, 'import', { ...params, datasetId: file.datasetId });
}

async function latestDryRun(fileId: number, mapping: string): Promise<ImportResult | null> {
  const jobs = await Job.findAll({
    where: { kind: 'import', status: 'succeeded', params: { fileId, mode: 'dry-run' } },
    order: [['id', 'DESC']],
    limit: 20,
  });
  // Compared canonically: jsonb does not keep the keys' order.
  const match = jobs.find((job) => canonicalize(ImportParams.parse(job.params).mapping) === mapping);
  return match ? (match.result as unknown as ImportResult) : null;
}
