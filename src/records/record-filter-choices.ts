import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../models/index.js';

/** The most model versions a "scored by" dropdown offers (the newest first); more would not be read. */
export const MAX_VERSION_CHOICES = 200;

export const FilterChoicesQuery = z.object({
  datasetId: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number({ error: 'a dataset id' }).int().positive().optional(),
  ),
});
export type FilterChoicesQuery = z.infer<typeof FilterChoicesQuery>;

/** What the record list's dropdowns offer: the labels a record may carry, and who may have scored it. */
export interface RecordFilterChoices {
  labels: string[];
  /** Model versions as people name them ("spam-filter v2"), by model, newest version first. */
  versions: Array<{ id: number; name: string }>;
}

/**
 * The choices of the record list's label, predicted-label and "scored by" filters, for one dataset or
 * for all: the labels from the dataset rows (no scan of records) and the versions of the models
 * trained on it. Anyone who may list records sees these: each record already shows its label and
 * the version that scored it, so the names say nothing the list does not.
 */
export async function recordFilterChoices(query: FilterChoicesQuery): Promise<RecordFilterChoices> {
  const sequelize = sequelizeOf();
  const where = query.datasetId === undefined ? '' : 'WHERE d.id = :datasetId';
  const replacements = { datasetId: query.datasetId ?? null, limit: MAX_VERSION_CHOICES };
  const labelRows = await sequelize.query<{ label: string }>(
    `SELECT DISTINCT unnest(d.labels) AS label FROM datasets d ${where} ORDER BY 1`,
    { replacements, type: QueryTypes.SELECT },
  );
  const versions = await sequelize.query<{ id: number; name: string }>(
    `SELECT v.id, m.name || ' v' || v.version AS name
       FROM model_versions v JOIN models m ON m.id = v.model_id JOIN datasets d ON d.id = m.dataset_id
       ${where}
      ORDER BY m.name, v.version DESC
      LIMIT :limit`,
    { replacements, type: QueryTypes.SELECT },
  );
  return { labels: labelRows.map((r) => r.label), versions: versions.map((v) => ({ id: Number(v.id), name: v.name })) };
}
