// `npm run bench` (part): `cli generate` at a million rows, text and tabular (30 features), each into
// the same records table with all its indexes. Reports rows/s for each and checks what the console
// relies on afterwards: every index of records valid, and no GIN pending list left to scan.
import { generateDataset } from '../../src/datasets/generate-dataset.js';
import { benchDatabase } from './bench-database.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_GENERATE_ROWS ?? 1_000_000);
const system = { type: 'system' } as const;

const db = await benchDatabase(4);
try {
  const runs: Record<string, { rows: number; seconds: number; rowsPerSecond: number }> = {};
  for (const task of ['tabular-classification', 'text-classification'] as const) {
    const result = await generateDataset(system, {
      name: `gen-bench-${task.split('-')[0]}`,
      rows: ROWS,
      task,
      seed: 5,
    });
    runs[task.split('-')[0]!] = {
      rows: result.rows,
      seconds: Number(result.seconds.toFixed(2)),
      rowsPerSecond: result.rowsPerSecond,
    };
  }
  const [indexes] = await db.sequelize.query(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'records'::regclass ORDER BY 1`,
  );
  // Pages a later search would have to scan in the GIN pending lists (merging them now reports how many).
  const [pending] = await db.sequelize
    .query('SELECT records_clean_gin_pending_lists() AS "pendingPagesLeft"')
    .catch(() => [[{ pendingPagesLeft: 'unknown (migration 20261125001900 missing)' }]]);
  console.log(
    JSON.stringify(
      {
        benchmark: 'generate',
        when: new Date().toISOString(),
        machine: machine(),
        rows: ROWS,
        runs,
        targetRowsPerSecond: 100_000,
        indexes,
        ginPending: pending,
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
}
