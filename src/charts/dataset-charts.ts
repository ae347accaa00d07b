import { QueryTypes, type Sequelize } from 'sequelize';
import { chartCache, type Cached } from './chart-cache.js';

export interface LabelSplitCount {
  /** The human label; null for unlabelled records. */
  label: string | null;
  split: string;
  records: number;
}

export interface DailyEdits {
  day: string;
  /** Records whose last change (after their creation) was that day. */
  edited: number;
}

export interface ChangedRecord {
  id: number;
  datasetId: number;
  label: string | null;
  split: string;
  updatedAt: string;
}

export interface DatasetCharts {
  datasetId: number;
  name: string;
  task: string;
  /** The dataset's label set, in its order (labels no record has yet included). */
  labels: string[];
  bySplit: Cached<LabelSplitCount[]>;
  edits: Cached<DailyEdits[]>;
  recent: Cached<ChangedRecord[]>;
}

const CHANGE_DAYS = 14;
const RECENT_ROWS = 10;

/**
 * A dataset's charts: live records by human label and split (the label distribution), records edited
 * per day, and the ten most recently changed records. Aggregated in Postgres (one GROUP BY
 * per chart, never rows into Node) and cached until the records change. Null for an unknown dataset.
 */
export async function datasetCharts(sequelize: Sequelize, datasetId: number): Promise<DatasetCharts | null> {
  const [dataset] = await sequelize.query<{ id: number; name: string; task: string; labels: string[] }>(
    'SELECT id, name, task::text AS task, labels FROM datasets WHERE id = :datasetId',
    { replacements: { datasetId }, type: QueryTypes.SELECT },
  );
  if (!dataset) return null;
  const [bySplit, edits, recent] = await Promise.all([
    labelSplitCounts(sequelize, datasetId),
    chartCache.get(`dataset:${datasetId}:edits`, ['records'], () => editsPerDay(sequelize, datasetId)),
    chartCache.get(`dataset:${datasetId}:recent`, ['records'], () => recentlyChanged(sequelize, datasetId)),
  ]);
  return {
    datasetId: dataset.id,
    name: dataset.name,
    task: dataset.task,
    labels: dataset.labels,
    bySplit,
    edits,
    recent,
  };
}

/** Live records by human label and split, cached until the records change (the dataset page shares it). */
export function labelSplitCounts(sequelize: Sequelize, datasetId: number): Promise<Cached<LabelSplitCount[]>> {
  return chartCache.get(`dataset:${datasetId}:by-split`, ['records'], () => labelsBySplit(sequelize, datasetId));
}

async function labelsBySplit(sequelize: Sequelize, datasetId: number): Promise<LabelSplitCount[]> {
  const rows = await sequelize.query<{ label: string | null; split: string; records: string }>(
    `SELECT label, split::text AS split, count(*) AS records
       FROM records WHERE dataset_id = :datasetId AND deleted_at IS NULL
      GROUP BY label, split ORDER BY label NULLS LAST, split`,
    { replacements: { datasetId }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ label: r.label, split: r.split, records: Number(r.records) }));
}

/**
 * Records edited per day over the last two weeks (counted on the day of their last change). Read from
 * the partial index of edited records (records_edited_idx: only rows whose updated_at moved past their
 * created_at), so a million freshly loaded records cost nothing here.
 */
async function editsPerDay(sequelize: Sequelize, datasetId: number): Promise<DailyEdits[]> {
  const rows = await sequelize.query<{ day: string; edited: string }>(
    `WITH days AS (
       SELECT generate_series(date_trunc('day', now()) - make_interval(days => :days - 1), date_trunc('day', now()), interval '1 day') AS day
     ), edited AS (
       SELECT date_trunc('day', updated_at) AS day, count(*) AS n FROM records
        WHERE dataset_id = :datasetId AND updated_at <> created_at AND updated_at >= date_trunc('day', now()) - make_interval(days => :days - 1)
        GROUP BY 1
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, COALESCE(edited.n, 0) AS edited
       FROM days LEFT JOIN edited USING (day) ORDER BY days.day`,
    { replacements: { datasetId, days: CHANGE_DAYS }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({ day: r.day, edited: Number(r.edited) }));
}

/** The dataset's live records changed last (created or edited), newest first, down the updated_at index. */
async function recentlyChanged(sequelize: Sequelize, datasetId: number): Promise<ChangedRecord[]> {
  const rows = await sequelize.query<{
    id: string;
    dataset_id: number;
    label: string | null;
    split: string;
    updated_at: Date;
  }>(
    `SELECT id, dataset_id, label, split::text AS split, updated_at FROM records
      WHERE deleted_at IS NULL AND dataset_id = :datasetId
      ORDER BY updated_at DESC LIMIT :limit`,
    { replacements: { datasetId, limit: RECENT_ROWS }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    id: Number(r.id),
    datasetId: r.dataset_id,
    label: r.label,
    split: r.split,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}
