import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';

/**
 * Tables that change without anyone changing data: sessions (touched on every request), and the
 * counters and statistics the server writes on its own (refusals are counted per minute in
 * audit_refusal_counts; the audit log itself is not volatile).
 */
export const VOLATILE_TABLES: readonly string[] = [
  'session',
  'request_stats',
  'rate_limit_counters',
  'inference_stats',
  'audit_refusal_counts',
  // The last drift report per version: derived, rewritten by reading a report (docs/drift.md).
  'drift_reports',
  // A version's training side reduced once, at its first drift report: derived, like the report.
  'drift_references',
  'drift_reference_values',
  'SequelizeMeta',
];

/**
 * A fingerprint of every table in `public` (but `exclude`): its row count and the newest transaction
 * id among its rows. Postgres writes a new row version with the writing transaction's id for every
 * insert and update (a soft delete included), and a hard delete changes the count, so equal
 * fingerprints mean nothing was written — at the cost of one scan without hashing. (pg-boss's own
 * schema is left out: its maintenance and cron loops write on their own; every queued job also has
 * its row in `jobs`.)
 */
export async function dataChecksum(exclude: readonly string[] = VOLATILE_TABLES): Promise<Record<string, string>> {
  const sequelize = sequelizeOf();
  const tables = await sequelize.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema = 'public'
      ORDER BY 1, 2`,
    { type: QueryTypes.SELECT },
  );
  const digests: Record<string, string> = {};
  for (const { schema, name } of tables) {
    if (exclude.includes(name)) continue;
    const [row] = await sequelize.query<{ digest: string; rows: string }>(
      `SELECT coalesce(max(t.xmin::text::bigint), 0)::text AS digest, count(*)::text AS rows FROM "${schema}"."${name}" t`,
      { type: QueryTypes.SELECT },
    );
    digests[`${schema}.${name}`] = `${row!.rows}:${row!.digest}`;
  }
  return digests;
}

/** The tables whose digests differ between two checksums. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((table) => before[table] !== after[table])
    .sort();
}
