import fs from 'node:fs';
import path from 'node:path';
import { readLog, type FileResult } from './run-file.js';
import { knownCosts, type FileCost } from './schedule.js';

export function failedFile(result: FileResult): boolean {
  return result.failed > 0 || result.exitCode !== 0;
}

/** One line as a file ends: `  12.3 s  ✔ integration/records/bulk-edit (14 passed, 4.1 CPU s)`. */
export function fileLine(result: FileResult): string {
  const counts = [
    `${result.passed} passed`,
    ...(result.failed ? [`${result.failed} failed`] : []),
    ...(result.pending ? [`${result.pending} skipped`] : []),
  ];
  const why = result.timedOut
    ? ', timed out'
    : result.failed === 0 && result.exitCode !== 0
      ? `, exit ${result.exitCode}`
      : '';
  const cpu = result.cpuSeconds === undefined ? '' : `, ${result.cpuSeconds.toFixed(1)} CPU s`;
  return `${result.seconds.toFixed(1).padStart(6)} s  ${failedFile(result) ? '✘' : '✔'} ${result.file.name} (${counts.join(', ')}${why}${cpu})`;
}

/**
 * What went wrong in a failed file: mocha's failure list and whatever followed it (a leak report),
 * or, with no failing test, the end of its output (a leak, a crash, a timeout).
 */
export function failureDetails(result: FileResult, root: string): string {
  const text = readLog(result.log);
  const body = text.match(/^\s*\d+ failing[\s\S]*/m)?.[0] ?? text.trimEnd().split('\n').slice(-25).join('\n');
  return `===== ${result.file.name} (${path.relative(root, result.log)}) =====\n${body.trim()}\n`;
}

/** The slowest files, so that the next engineer sees where the time goes. */
export function slowestTable(results: readonly FileResult[], count = 10): string {
  const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, count);
  const width = Math.max(...slowest.map((r) => r.file.name.length), 4);
  const lines = slowest.map(
    (r) =>
      `  ${r.file.name.padEnd(width)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.cpuSeconds === undefined ? '      -' : r.cpuSeconds.toFixed(1).padStart(7)}`,
  );
  return [
    `${count} slowest files:`,
    `  ${'file'.padEnd(width)}  ${'wall s'.padStart(7)}  ${'cpu s'.padStart(7)}`,
    ...lines,
  ].join('\n');
}

/** Wall and CPU seconds per file of this run, added to the last run's, for the next run's schedule. */
export function saveSeconds(file: string, results: readonly FileResult[]): void {
  const earlier = Object.fromEntries(knownCosts([file]));
  const round = (seconds: number) => Math.round(seconds * 10) / 10;
  const now = Object.fromEntries(
    results.map((r): [string, FileCost] => [
      r.file.name,
      {
        seconds: round(r.seconds),
        ...(r.cpuSeconds === undefined ? {} : { cpuSeconds: round(r.cpuSeconds) }),
        ...(r.waitSeconds === undefined ? {} : { waitSeconds: round(r.waitSeconds) }),
      },
    ]),
  );
  const merged = { ...earlier, ...now };
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

/** Files, wall and CPU seconds per group: where the suite's time goes, at a glance. */
export function groupTable(results: readonly FileResult[]): string {
  const groups = [...new Set(results.map((r) => r.file.group))];
  const lines = groups.map((group) => {
    const of = results.filter((r) => r.file.group === group);
    const wall = of.reduce((total, r) => total + r.seconds, 0);
    const cpu = of.reduce((total, r) => total + (r.cpuSeconds ?? 0), 0);
    return `  ${group.padEnd(11)}  ${String(of.length).padStart(5)}  ${wall.toFixed(0).padStart(7)}  ${cpu.toFixed(0).padStart(7)}`;
  });
  return [
    `by group:`,
    `  ${'group'.padEnd(11)}  ${'files'.padStart(5)}  ${'wall s'.padStart(7)}  ${'cpu s'.padStart(7)}`,
    ...lines,
  ].join('\n');
}
