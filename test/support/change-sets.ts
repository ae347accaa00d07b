import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';

/** A record's tracked fields exactly as stored (text forms from Postgres), for field-by-field comparison. */
export interface TrackedRow {
  id: string;
  dataset_id: string;
  text: string | null;
  features: string | null;
  label: string | null;
  split: string;
  tags: string;
  source: string | null;
  deleted_at: string | null;
}

/** Every record of a dataset (deleted ones too), each field as Postgres prints it, by id. */
export async function trackedRows(datasetId: number): Promise<Map<string, TrackedRow>> {
  const rows = await sequelizeOf().query<TrackedRow>(
    `SELECT id::text, dataset_id::text, text, features::text, label, split::text, tags::text, source, deleted_at::text
       FROM records WHERE dataset_id = :datasetId ORDER BY id`,
    { replacements: { datasetId }, type: QueryTypes.SELECT },
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** "record 12: label Gentoo ≠ Adelie" for every field that differs between two snapshots (first `limit`). */
export function differences(
  expected: Map<string, TrackedRow>,
  actual: Map<string, TrackedRow>,
  ids: Iterable<string> = expected.keys(),
  limit = 10,
): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const want = expected.get(id);
    const got = actual.get(id);
    if (!want || !got) {
      out.push(`record ${id}: ${want ? 'missing now' : 'not in the snapshot'}`);
    } else {
      for (const field of Object.keys(want) as Array<keyof TrackedRow>)
        if (want[field] !== got[field])
          out.push(`record ${id}: ${field} ${String(got[field])} ≠ ${String(want[field])}`);
    }
    if (out.length >= limit) break;
  }
  return out;
}

/** The change-set and audit seq of the latest successful event of `action`. */
export async function latestChangeSet(action: string): Promise<{ changeSetId: number; seq: number }> {
  const [row] = await sequelizeOf().query<{ id: string; seq: string }>(
    `SELECT change_set ->> 'id' AS id, seq FROM audit_events
      WHERE action = :action AND outcome = 'success' AND change_set IS NOT NULL ORDER BY seq DESC LIMIT 1`,
    { replacements: { action }, type: QueryTypes.SELECT },
  );
  if (!row) throw new Error(`no ${action} event with a change-set`);
  return { changeSetId: Number(row.id), seq: Number(row.seq) };
}
