// `npm run bench` (part, `--only=uncertainty-write`): what margin and entropy cost batch scoring's
// write. One million predictions (3 labels) are written the way a scoring job writes them (chunks of
// SCORE_CHUNK_ROWS: one transaction each with the dataset's advisory lock, binary COPY), first into
// an empty table and then again over the same records (the replace path: DELETE + COPY), for each
// variant: the six columns of before issue 22 with its one index; the eight columns (margin and
// entropy); and the eight columns with the candidate indexes for "least certain first" and "highest
// entropy" per version: full, bucketed (0.01 wide, record_id within) and partial (margin < 0.1, as
// migrated; the share of such predictions here is printed). Variants alternate over BENCH_UNCERTAINTY_ROUNDS rounds (default 3) on one
// database, so a noisy neighbour on the shared machine hits each alike; the median is reported. The
// encoding (Node) is timed apart: it runs in the scoring step, not the write.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BINARY_COPY_TRAILER, binaryCopyHeader } from '../../src/db/copy-binary.js';
import { encodePredictionRows, PREDICTION_COLUMNS } from '../../src/scoring/encode-prediction-rows.js';
import { benchDatabase } from './bench-database.js';
import { machine } from './machine.js';

const ROWS = Number(process.env.BENCH_UNCERTAINTY_ROWS ?? 1_000_000);
const CHUNK = Number(process.env.SCORE_CHUNK_ROWS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_UNCERTAINTY_ROUNDS ?? 3);
const LABELS = ['complaint', 'question', 'praise'];
const VERSION = 1;

/** The candidate indexes, by name: what each variant adds to the table's own (PK, version/label/id). */
const CANDIDATES = {
  margin: 'CREATE INDEX bench_margin_idx ON record_predictions (model_version_id, margin, record_id)',
  entropy: 'CREATE INDEX bench_entropy_idx ON record_predictions (model_version_id, entropy, record_id)',
  marginUncertain:
    'CREATE INDEX bench_margin_uncertain_idx ON record_predictions (model_version_id, margin, record_id) WHERE margin < 0.1',
  entropyUncertain:
    'CREATE INDEX bench_entropy_uncertain_idx ON record_predictions (model_version_id, entropy, record_id) WHERE margin < 0.1',
  marginBucket:
    'CREATE INDEX bench_margin_bucket_idx ON record_predictions (model_version_id, (floor(margin * 100)::int2), record_id) INCLUDE (margin)',
  entropyBucket:
    'CREATE INDEX bench_entropy_bucket_idx ON record_predictions (model_version_id, (floor(entropy * 100)::int2), record_id) INCLUDE (entropy)',
} as const;

interface Variant {
  name: string;
  columns: 6 | 8;
  indexes: Array<keyof typeof CANDIDATES>;
}
const VARIANTS: Variant[] = [
  { name: 'before (6 columns, no new index)', columns: 6, indexes: [] },
  { name: 'margin + entropy, no new index', columns: 8, indexes: [] },
  { name: 'margin + entropy, index on margin', columns: 8, indexes: ['margin'] },
  { name: 'margin + entropy, indexes on margin and entropy', columns: 8, indexes: ['margin', 'entropy'] },
  { name: 'margin + entropy, bucketed indexes (0.01) on both', columns: 8, indexes: ['marginBucket', 'entropyBucket'] },
  {
    name: 'margin + entropy, partial indexes on both (margin < 0.1: as migrated)',
    columns: 8,
    indexes: ['marginUncertain', 'entropyUncertain'],
  },
];

/** Deterministic probabilities: a skewed softmax per row, so margins spread over (0, 1). */
function probabilitiesOf(rows: number, seed: number): Float32Array {
  const out = new Float32Array(rows * LABELS.length);
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  for (let r = 0; r < rows; r += 1) {
    const logits = LABELS.map(() => 4 * random());
    const exp = logits.map(Math.exp);
    const sum = exp.reduce((a, b) => a + b, 0);
    exp.forEach((e, c) => (out[r * LABELS.length + c] = e / sum));
  }
  return out;
}

/** The same rows without the last two fields (margin, entropy): what the encoder wrote before issue 22. */
function withoutUncertainty(data: Buffer): Buffer {
  const header = binaryCopyHeader();
  const out = Buffer.allocUnsafe(data.length);
  let from = header.length;
  let to = header.copy(out, 0);
  while (data.readInt16BE(from) !== -1) {
    const fields = data.readInt16BE(from);
    const start = from;
    from += 2;
    let cut = 0;
    for (let f = 0; f < fields; f += 1) {
      if (f === 6) cut = from;
      const length = data.readInt32BE(from);
      from += 4 + Math.max(0, length);
    }
    to = out.writeInt16BE(6, to);
    to += data.copy(out, to, start + 2, cut);
  }
  to += BINARY_COPY_TRAILER.copy(out, to);
  return out.subarray(0, to);
}

/** One chunk as writePredictions commits it (src/scoring/write-predictions.ts), with the given columns. */
async function writeChunk(client: pg.Client, columns: readonly string[], ids: number[], data: Buffer): Promise<void> {
  await client.query('BEGIN');
  await client.query('SET LOCAL synchronous_commit = off');
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [0x5c0e, 1]);
  const { rows } = await client.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM record_predictions WHERE record_id BETWEEN $1 AND $2) AS any',
    [ids[0], ids[ids.length - 1]],
  );
  if (rows[0]?.any) await client.query('DELETE FROM record_predictions WHERE record_id = ANY ($1::bigint[])', [ids]);
  await pipeline(
    Readable.from([data]),
    client.query(copyFrom(`COPY record_predictions (${columns.join(', ')}) FROM STDIN (FORMAT binary)`)),
  );
  await client.query('COMMIT');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const db = await benchDatabase(2);
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  // Encode every chunk once (timed: the scoring step's share), keep the buffers for all variants.
  const chunks: Array<{ ids: number[]; full: Buffer; before: Buffer }> = [];
  let encodeMs = 0;
  for (let first = 1; first <= ROWS; first += CHUNK) {
    const n = Math.min(CHUNK, ROWS - first + 1);
    const ids = Array.from({ length: n }, (_, i) => first + i);
    const probabilities = probabilitiesOf(n, first);
    const started = performance.now();
    const encoded = encodePredictionRows(ids, { rows: ids.map((_, i) => i), probabilities }, LABELS, VERSION, 1);
    encodeMs += performance.now() - started;
    chunks.push({ ids, full: encoded.data, before: withoutUncertainty(encoded.data) });
  }
  const seconds: Record<string, { first: number[]; again: number[] }> = {};
  for (const variant of VARIANTS) seconds[variant.name] = { first: [], again: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const variant of VARIANTS) {
      await client.query('TRUNCATE record_predictions');
      await client.query(
        'DROP INDEX IF EXISTS bench_margin_idx, bench_entropy_idx, bench_margin_bucket_idx, bench_entropy_bucket_idx, bench_margin_uncertain_idx, bench_entropy_uncertain_idx',
      );
      for (const index of variant.indexes) await client.query(CANDIDATES[index]);
      await client.query('CHECKPOINT');
      const columns = variant.columns === 8 ? PREDICTION_COLUMNS : PREDICTION_COLUMNS.slice(0, 6);
      for (const run of ['first', 'again'] as const) {
        const started = performance.now();
        for (const chunk of chunks)
          await writeChunk(client, columns, chunk.ids, variant.columns === 8 ? chunk.full : chunk.before);
        seconds[variant.name]![run].push((performance.now() - started) / 1000);
      }
    }
  }
  const { rows: share } = await client.query<{ uncertain: number }>(
    'SELECT avg((margin < 0.1)::int)::float8 AS uncertain FROM record_predictions',
  );
  const uncertainShare = share[0]?.uncertain;
  const baseline = seconds[VARIANTS[0]!.name]!;
  const results = VARIANTS.map((variant) => {
    const s = seconds[variant.name]!;
    const [first, again] = [median(s.first), median(s.again)];
    return {
      variant: variant.name,
      firstSeconds: Number(first.toFixed(2)),
      firstRowsPerSecond: Math.round(ROWS / first),
      againSeconds: Number(again.toFixed(2)),
      againRowsPerSecond: Math.round(ROWS / again),
      firstVsBefore: Number((first / median(baseline.first)).toFixed(3)),
      againVsBefore: Number((again / median(baseline.again)).toFixed(3)),
      allRuns: s,
    };
  });
  console.log(
    JSON.stringify(
      {
        benchmark: 'uncertainty-write',
        when: new Date().toISOString(),
        machine: machine(),
        predictions: ROWS,
        chunkRows: CHUNK,
        rounds: ROUNDS,
        encodeMsPerMillion: Math.round((encodeMs * 1_000_000) / ROWS),
        uncertainShare: Number((uncertainShare ?? 0).toFixed(3)),
        results,
        note: 'write time only (DELETE + COPY + commit per chunk); ratios against "before" in the same run',
      },
      null,
      2,
    ),
  );
} finally {
  await client.end();
  await db.close();
}
