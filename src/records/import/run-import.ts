import * as z from 'zod';
import { Dataset } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { actorUserId } from '../../access/predicates/actor-user-id.js';
import { withAuditExplicitTransaction } from '../../audit/with-audit.js';
import { inRolledBackTransaction } from '../../db/explicit-transaction.js';
import { checkMayImport, checkMayWriteFields } from './import-access.js';
import { ImportMapping, planImport, type ImportPlan } from './import-mapping.js';
import { stageRows, type ImportProgress, type StagedRows } from './stage-rows.js';
import { Conflict, InvalidInput } from '../../errors/domain-error.js';
import { duplicateFileMessage } from './earlier-import-words.js';
import {
  checkNotYetApplied,
  findEarlierImports,
  findImportFile,
  markFileApplied,
  type EarlierImport,
  type ImportFileFacts,
} from './stored-import-files.js';
import { writeStagedRecords } from './write-staged-records.js';

export const ImportParams = z.object({
  fileId: z.coerce.number().int().positive(),
  mode: z.enum(['dry-run', 'apply']),
  /** Apply the valid rows and leave out the invalid ones (otherwise any invalid row refuses the whole import). */
  skipInvalid: z.boolean().default(false),
  /** Apply a file whose contents (sha256) were imported before: the person was warned and goes on. */
  importAgain: z.boolean().default(false),
  mapping: ImportMapping,
});
export type ImportParams = z.input<typeof ImportParams>;

export interface ImportResult extends StagedRows {
  mode: 'dry-run' | 'apply';
  fileId: number;
  fileName: string;
  sha256: string;
  dataset: string;
  /** True when the rows were written (apply only). */
  applied: boolean;
  /** Files with the same sha256 imported before, newest first: the form warns before applying. */
  earlierImports: EarlierImport[];
  /** Apply only: the change-set holding every updated record's previous values and the created records. */
  changeSetId?: number;
}

/** One run of a stored file against its dataset, as both modes need it. */
interface ImportRun {
  params: z.output<typeof ImportParams>;
  file: ImportFileFacts;
  dataset: Dataset;
  plan: ImportPlan;
  progress: ImportProgress;
}

/**
 * Checks (dry run) or applies a stored CSV to its dataset. Both stream the file through csv-parse,
 * check each row with the console's rules and stage the valid ones in a temporary table, where ids
 * are checked against the dataset (stageRows). A dry run then rolls back and reports counts and the
 * first errors. Apply, in the same single transaction, writes the records and ONE audit event
 * (`records.import`: file, sha256, counts): killed or cancelled part-way, nothing is written and a
 * retry starts over. With invalid rows apply refuses unless `skipInvalid`.
 */
export async function runImport(
  actor: Actor,
  raw: unknown,
  progress: ImportProgress = async () => undefined,
): Promise<ImportResult> {
  const params = ImportParams.parse(raw);
  const file = await findImportFile(params.fileId);
  const dataset = (await Dataset.findByPk(file.datasetId))!;
  const plan = planImport(file.columns, dataset, params.mapping);
  const run: ImportRun = { params, file, dataset, plan, progress };
  return params.mode === 'apply' ? applyImport(actor, run) : dryRunImport(actor, run);
}

/** Writes nothing and records no audit event, refused or not: it only reads. */
async function dryRunImport(actor: Actor, { file, dataset, plan, progress }: ImportRun): Promise<ImportResult> {
  checkMayImport(actor);
  // Explicit, not ambient: reading the file's chunks and recording progress must not queue behind the COPY.
  const staged = await inRolledBackTransaction(async (transaction) => {
    await checkNotYetApplied(transaction, file, { lock: false });
    return stageRows(transaction, file, dataset, plan, progress);
  });
  return resultOf('dry-run', file, dataset, staged, await findEarlierImports(file));
}

/** Every row is checked again here, whatever the dry run said, so nothing invalid is written. */
async function applyImport(actor: Actor, { params, file, dataset, plan, progress }: ImportRun): Promise<ImportResult> {
  const selection = {
    datasetId: dataset.id,
    dataset: dataset.name,
    fileId: file.id,
    fileName: file.fileName,
    sha256: file.sha256,
  };
  const staged = await withAuditExplicitTransaction(
    actor,
    { action: 'records.import', resource: 'records' },
    async (transaction, audit) => {
      audit.note({ selection });
      checkMayImport(actor);
      checkMayWriteFields(actor, plan.fields);
      await checkNotYetApplied(transaction, file, { lock: true });
      const earlier = await findEarlierImports(file);
      if (earlier.length > 0 && !params.importAgain) throw duplicateFileRefused(earlier);
      const checked = await stageRows(transaction, file, dataset, plan, progress);
      if (checked.invalidRows > 0 && !params.skipInvalid) throw invalidRowsRefused(file, checked);
      await progress('writing records', 0, checked.inserts + checked.updates);
      // Updated records keep their previous values, created ones are listed: both revertible.
      const changeSet = await audit.trackRecordChanges();
      await writeStagedRecords(transaction, dataset, plan);
      await markFileApplied(transaction, file.id, actorUserId(actor) ?? null);
      audit.note({
        selection: {
          ...selection,
          rows: checked.rows,
          inserted: checked.inserts,
          updated: checked.updates,
          unchanged: checked.unchanged,
          skippedInvalidRows: checked.invalidRows,
          ...(earlier.length > 0 ? { importedAgain: earlier.map((e) => e.fileId) } : {}),
        },
        after: { mapping: params.mapping },
      });
      return { ...checked, changeSetId: changeSet.id, earlier };
    },
  );
  // Only now, committed, do the rows count as done.
  await progress('writing records', staged.inserts + staged.updates, staged.inserts + staged.updates);
  const { changeSetId, earlier, ...rows } = staged;
  return { ...resultOf('apply', file, dataset, rows, earlier), changeSetId };
}

function invalidRowsRefused(file: ImportFileFacts, staged: StagedRows): InvalidInput {
  const first = staged.errors
    .slice(0, 3)
    .map((e) => `row ${e.row}, ${e.column}: ${e.reason}`)
    .join('; ');
  return new InvalidInput(
    'import.invalid_rows',
    `${staged.invalidRows} row(s) of "${file.fileName}" are invalid (${first}${staged.errorCount > 3 ? '; …' : ''}). Nothing was imported: fix the file or the mapping, or tick "skip invalid rows" to import only the valid ones.`,
  );
}

/** Refused unless the person ticked "Import this file again" after the warning. */
export function duplicateFileRefused(earlier: readonly EarlierImport[]): Conflict {
  return new Conflict('import.duplicate_file', duplicateFileMessage(earlier));
}

function resultOf(
  mode: ImportResult['mode'],
  file: ImportFileFacts,
  dataset: Dataset,
  staged: StagedRows,
  earlierImports: EarlierImport[],
): ImportResult {
  return {
    mode,
    fileId: file.id,
    fileName: file.fileName,
    sha256: file.sha256,
    dataset: dataset.name,
    ...staged,
    applied: mode === 'apply',
    earlierImports,
  };
}
