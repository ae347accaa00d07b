// `npm run bench [-- --peer]`: runs every benchmark, one process each and one after another (they
// would disturb each other), collects their JSON into bench-results/bench-<time>.json and prints a
// short table of the headline figures beside their baselines. `--peer` also measures the Django peer
// (../shared/peer-django) where a benchmark has one. Not part of `npm test`: timings need a quiet
// machine and are never asserted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/platform/project-root.js';
import { machine } from './machine.js';

const BENCHMARKS = [
  'train',
  'audit',
  'console-scale',
  'charts',
  'drift',
  'import',
  'history',
  'revert',
  'review-queue',
  'score',
  'uncertainty-write',
  'uncertainty',
  'predict',
  'start',
  'soak',
] as const;
type Name = (typeof BENCHMARKS)[number];
type Json = Record<string, unknown>;

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

function run(name: Name): Promise<Json> {
  const file = path.join(projectRoot, 'dist', 'test', 'bench', `${name}.bench.js`);
  const child = spawn(
    process.execPath,
    ['--import', path.join(projectRoot, 'test', 'setup', 'env.mjs'), file, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const start = out.indexOf('{');
      try {
        if (code !== 0 || start < 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(out.slice(start)) as Json);
      } catch (error) {
        resolve({ error: `${name} failed (${(error as Error).message}); its output ends: ${out.slice(-500)}` });
      }
    });
  });
}

const get = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), value);
const num = (value: unknown, digits = 0) =>
  typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: digits }) : '–';

/** The headline figures: what, ours, the baseline measured in the same run, and the target. */
function table(results: Partial<Record<Name, Json>>): string[][] {
  const { train, audit, charts, score, predict, start, soak } = results;
  const csvImport = results.import;
  const history = results.history;
  const scale = results['console-scale'];
  const reviewQueue = results['review-queue'];
  const rows: string[][] = [['figure', 'ModelDesk', 'baseline (same run)', 'target']];
  if (train) {
    rows.push([
      'train 100k×30 tabular (s)',
      num((get(train, 'tabular', 'totalMs') as number) / 1000, 2),
      `scikit-learn ${num((get(train, 'baseline', 'tabular', 'totalMs') as number) / 1000, 2)}`,
      '≤ 2',
    ]);
    rows.push([
      'train SpamAssassin text (s)',
      num((get(train, 'text', 'totalMs') as number) / 1000, 2),
      `scikit-learn ${num((get(train, 'baseline', 'text', 'totalMs') as number) / 1000, 2)}`,
      '≤ 5',
    ]);
    for (const [key, what] of [
      ['tabular', '100k×30'],
      ['text', 'SpamAssassin'],
    ] as const)
      rows.push([
        `test log loss / ECE, ${what}`,
        `${num(get(train, key, 'logLoss'), 4)} / ${num(get(train, key, 'ece'), 4)}`,
        `scikit-learn C = 1: ${num(get(train, 'baseline', key, 'logLoss'), 4)} / ${num(get(train, 'baseline', key, 'ece'), 4)}`,
        'ECE ≤ 0.02',
      ]);
  }
  if (audit) {
    rows.push([
      'audited writes/s, 1 writer',
      num(get(audit, 'audited', 'one', 'perSecond')),
      `unaudited ${num(get(audit, 'baselineWithoutAudit', 'one', 'perSecond'))}`,
      '',
    ]);
    rows.push([
      'audited writes/s, 16 writers',
      num(get(audit, 'audited', 'sixteen', 'perSecond')),
      `unaudited ${num(get(audit, 'baselineWithoutAudit', 'sixteen', 'perSecond'))}`,
      '',
    ]);
  }
  if (scale) {
    for (const [key, label] of [
      ['list', 'list'],
      ['labelFilter', 'label filter'],
      ['textSearch', 'text search'],
      ['show', 'record page'],
    ] as const) {
      const stock = get(scale, 'adapterCountAndFind', key, 'stock', 'p50Ms');
      rows.push([
        `console @1M ${label}, p50 ms`,
        num(get(scale, 'consoleApi', key, 'p50Ms'), 1),
        stock === undefined
          ? ''
          : `stock adapter count+find ${num(stock, 1)} (ours ${num(get(scale, 'adapterCountAndFind', key, 'ours', 'p50Ms'), 1)})`,
        '≤ 30',
      ]);
    }
    for (const [key, label] of [
      ['predictedLabel', 'predicted label filter'],
      ['scoredByVersion', 'scored-by-version filter'],
      ['scored', '"scored" filter'],
    ] as const) {
      rows.push([
        `console @2M ${label} (1M scored, 1M newer not), p50 ms`,
        num(get(scale, 'consoleApiPredictionFilters', key, 'p50Ms'), 1),
        '',
        '≤ 30',
      ]);
    }
    for (const [key, label] of [
      ['newerVersionOldestFirst', "newer version's records, oldest first"],
      ['olderVersionNewestFirst', "older version's records, newest first"],
      ['olderVersionLabelNewestFirst', 'a label only the older version predicted, newest first'],
    ] as const) {
      rows.push([
        `console @2M ${label} (two versions, 1M predictions each), p50 ms`,
        num(get(scale, 'consoleApiPredictionFilters', 'afterNewerScored', key, 'p50Ms'), 1),
        '',
        '≤ 30',
      ]);
    }
    rows.push([
      'generate 1M text rows (rows/s)',
      num(get(scale, 'generate', 'text', 'rowsPerSecond')),
      '',
      '≥ 100,000',
    ]);
    rows.push([
      'generate 1M tabular rows, 30 features (rows/s)',
      num(get(scale, 'generate', 'tabular', 'rowsPerSecond')),
      '',
      '≥ 100,000',
    ]);
  }
  if (charts) {
    const uncached = (get(charts, 'uncached') ?? {}) as Record<string, { p50Ms: number }>;
    const cached = (get(charts, 'cached') ?? {}) as Record<string, { p50Ms: number }>;
    for (const [key, label] of [
      ['dashboardDataScientist', "data scientist's dashboard"],
      ['dashboardContentManager', "content manager's dashboard"],
      ['dashboardAuditor', "auditor's dashboard"],
      ['dashboardAdmin', "admin's dashboard"],
      ['datasetChartsAction', 'dataset Charts'],
      ['modelChartsAction', 'model Charts'],
    ] as const) {
      rows.push([
        `charts @1M ${label}, p50 ms uncached / cached`,
        `${num(uncached[key]?.p50Ms, 0)} / ${num(cached[key]?.p50Ms, 1)}`,
        '',
        '≤ 1,000 uncached',
      ]);
    }
  }
  if (csvImport) {
    rows.push([
      `CSV import 1M rows: dry run / apply (rows/s)`,
      `${num(get(csvImport, 'dryRun', 'rowsPerSecond'))} / ${num(get(csvImport, 'apply', 'rowsPerSecond'))}`,
      '',
      'up to 1,000,000 rows, streamed',
    ]);
    rows.push([
      'CSV import 1M rows: worker heap growth, dry run / apply (MiB)',
      `${num(get(csvImport, 'dryRun', 'heapGrowthMiB'), 1)} / ${num(get(csvImport, 'apply', 'heapGrowthMiB'), 1)}`,
      `file ${num(get(csvImport, 'fileMiB'), 0)} MiB`,
      'constant',
    ]);
  }
  if (history) {
    rows.push([
      'bulk edit 1M records with before-images (rows/s)',
      num(get(history, 'bulkEdit', 'with', 'rowsPerSecond')),
      `capture trigger off ${num(get(history, 'bulkEdit', 'without', 'rowsPerSecond'))}`,
      '',
    ]);
    rows.push([
      'import updating 1M records with before-images (rows/s)',
      num(get(history, 'importUpdates', 'with', 'rowsPerSecond')),
      `capture trigger off ${num(get(history, 'importUpdates', 'without', 'rowsPerSecond'))}`,
      '',
    ]);
    rows.push([
      `record History at ${num(get(history, 'history', 'recordChangeRows'))} change rows, p50 ms`,
      num(get(history, 'history', 'p50Ms'), 1),
      '',
      'index scan',
    ]);
  }
  if (results.revert) {
    rows.push([
      'revert of a 1M-record bulk edit, as a job (rows/s)',
      num(get(results.revert, 'revert', 'rowsPerSecond')),
      `the bulk edit itself ${num(get(results.revert, 'bulkEdit', 'rowsPerSecond'))}`,
      'completes, every record back',
    ]);
  }
  if (reviewQueue) {
    const built = (get(reviewQueue, 'results') ?? {}) as Record<string, { p50Ms: number }>;
    for (const [name, label] of [
      ['leastMargin200', 'least margin, 200'],
      ['misclassified200', 'misclassified, 200'],
      ['random200', 'random, 200'],
      ['leastMarginExactDedupe1000', 'least margin, exact dedupe, 1,000'],
      ['disagreement200', 'disagreement, 200 (20k compared)'],
    ] as const)
      rows.push([`build review queue @1M scored: ${label}, p50 ms`, num(built[name]?.p50Ms), '', '']);
    for (const [key, label] of [
      ['queuePage', "a queue's page (progress, agreement)"],
      ['claim', 'labeling page load (claim)'],
      ['labelAndNextClaim', 'label + next claim'],
    ] as const)
      rows.push([
        `review queue @1M scored: ${label}, p50 ms`,
        num(get(reviewQueue, 'working', key, 'p50Ms'), 1),
        '',
        '≤ 30',
      ]);
  }
  if (score) {
    rows.push([
      'batch scoring 1M×30 (rows/s)',
      num(get(score, 'runs', 'first', 'rowsPerSecond')),
      get(score, 'peer')
        ? `peer SQL ${num(get(score, 'peer', 'sql', 'rowsPerSecond'))} (×${num(get(score, 'ratios', 'oursOverPeerSql'), 1)}), ORM ${num(get(score, 'peer', 'orm100k', 'rowsPerSecond'))} (×${num(get(score, 'ratios', 'oursOverPeerOrm'), 1)})`
        : 'peer: run with --peer',
      '≥ 150,000; ≥ 10× peer SQL',
    ]);
    rows.push(['batch scoring worker peak RSS (MiB)', num(get(score, 'runs', 'first', 'peakRssMb')), '', '']);
  }
  if (predict) {
    const peer = get(predict, 'peer');
    rows.push([
      'predict, 1 instance (req/s)',
      num(get(predict, 'ours', 'batch1', 'requestsPerSecond')),
      peer
        ? `peer ${num(get(peer, 'batch1', 'requestsPerSecond'))} (×${num(get(predict, 'ratios', 'requestsPerSecondBatch1'), 1)})`
        : 'peer: run with --peer',
      '≥ 10× peer',
    ]);
    rows.push([
      'predict, 1 instance, p50 / p99 (ms)',
      `${num(get(predict, 'ours', 'batch1', 'p50Ms'), 2)} / ${num(get(predict, 'ours', 'batch1', 'p99Ms'), 2)}`,
      peer ? `peer ${num(get(peer, 'batch1', 'p50Ms'), 2)} / ${num(get(peer, 'batch1', 'p99Ms'), 2)}` : '',
      'p99 ≤ peer',
    ]);
    rows.push([
      'predict, 64 instances (rows/s)',
      num(get(predict, 'ours', 'batch64', 'rowsPerSecond')),
      peer
        ? `peer ${num(get(peer, 'batch64', 'rowsPerSecond'))} (×${num(get(predict, 'ratios', 'rowsPerSecondBatch64'), 1)})`
        : '',
      '≥ 25× peer',
    ]);
    rows.push([
      'predict with sampling over without, 1 / 64 instances',
      `${num(get(predict, 'sampling', 'withOverWithout', 'requestsPerSecondBatch1'), 3)} / ${num(get(predict, 'sampling', 'withOverWithout', 'rowsPerSecondBatch64'), 3)}`,
      `without: ${num(get(predict, 'sampling', 'withoutSampling', 'batch1', 'requestsPerSecond'))} req/s`,
      '≥ 0.95',
    ]);
  }
  const uncertainty = results.uncertainty;
  if (uncertainty) {
    rows.push([
      'scoring 1M with the uncertainty indexes / without (rows/s)',
      `${num(get(uncertainty, 'scoring', 'withIndexes'))} / ${num(get(uncertainty, 'scoring', 'withoutIndexes'))} (×${num(get(uncertainty, 'scoring', 'withIndexesOverWithout'), 3)})`,
      '',
      '≥ 0.9×',
    ]);
    rows.push([
      'least certain first @1M, console p50 (ms)',
      num(get(uncertainty, 'pagesAt1M', 'uncertainty', 'leastCertainFirst', 'p50Ms'), 1),
      `scored-by-version filter ${num(get(uncertainty, 'pagesAt1M', 'todaysPredictionFilters', 'scoredByVersion', 'p50Ms'), 1)}`,
      'as fast',
    ]);
  }
  if (start) {
    rows.push([
      'npm start, cold / warm (s)',
      `${num(get(start, 'coldStartSeconds'), 1)} / ${num(get(start, 'warmStartSeconds'), 1)}`,
      '',
      '',
    ]);
    const peerRss = get(start, 'peer', 'rss', 'totalMiB');
    rows.push([
      'RSS idle, web / worker (MiB)',
      `${num(get(start, 'idleRss', 'webMiB'), 1)} / ${num(get(start, 'idleRss', 'workerMiB'), 1)}`,
      peerRss === undefined ? '' : `peer gunicorn (master + 2) ${num(peerRss, 1)}`,
      '',
    ]);
  }
  if (soak) {
    const requests = (get(soak, 'requests') ?? {}) as Record<string, { ok: number; errors: number }>;
    const errors = Object.values(requests).reduce((sum, r) => sum + r.errors, 0);
    const total = Object.values(requests).reduce((sum, r) => sum + r.ok + r.errors, 0);
    const growth = Object.values((get(soak, 'memory') ?? {}) as Record<string, { growthMiB: number | null }>).map(
      (m) => m.growthMiB ?? 0,
    );
    rows.push([
      `soak ${num(get(soak, 'seconds'))} s: requests / errors`,
      `${num(total)} / ${num(errors)}`,
      '',
      '0 errors',
    ]);
    rows.push(['soak: largest RSS growth of a process (MiB)', num(Math.max(...growth), 1), '', 'bounded']);
  }
  return rows;
}

const results: Partial<Record<Name, Json>> = {};
for (const name of BENCHMARKS) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`== ${name}\n`);
  results[name] = await run(name);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const dir = path.join(projectRoot, 'bench-results');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `bench-${stamp}.json`);
const rows = table(results);
fs.writeFileSync(
  file,
  JSON.stringify({ when: new Date().toISOString(), machine: machine(), args, results, table: rows }, null, 2),
);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const [i, row] of rows.entries()) {
  console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`);
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
}
console.log(`\nAll figures: ${path.relative(process.cwd(), file)}`);
if (Object.values(results).some((r) => r && 'error' in r)) process.exitCode = 1;
