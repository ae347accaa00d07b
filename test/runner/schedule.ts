import fs from 'node:fs';
import type { TestFile } from './test-files.js';

/** What earlier runs measured of one file: wall seconds, and the CPU seconds of its own processes. */
export interface FileCost {
  seconds: number;
  cpuSeconds?: number;
  /** Of `seconds`, how long its mocha process waited for a core because the machine was busy. */
  waitSeconds?: number;
}

/**
 * Each file's cost in earlier runs: test-results/file-seconds.json from the last run on this machine,
 * else the figures committed in test/runner/file-seconds.json (a clean clone, CI). A file's entry is
 * `{ "seconds": 25.4, "cpuSeconds": 8.7 }` (or, written before CPU was kept, its seconds alone).
 */
export function knownCosts(files: readonly string[]): Map<string, FileCost> {
  const costs = new Map<string, FileCost>();
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) continue;
    for (const [name, value] of Object.entries(parsed)) {
      if (costs.has(name)) continue;
      if (typeof value === 'number') costs.set(name, { seconds: value });
      else if (isCost(value)) costs.set(name, value);
    }
  }
  return costs;
}

function isCost(value: unknown): value is FileCost {
  if (typeof value !== 'object' || value === null) return false;
  const { seconds, cpuSeconds, waitSeconds } = value as Record<string, unknown>;
  const optional = (field: unknown) => field === undefined || typeof field === 'number';
  return typeof seconds === 'number' && optional(cpuSeconds) && optional(waitSeconds);
}

/**
 * Longest first: the run ends when its longest file does, so that one must start at once, and the
 * short ones fill the gaps at the end. A file never timed goes first (it may be long).
 */
export function longestFirst(files: readonly TestFile[], costs: ReadonlyMap<string, FileCost>): TestFile[] {
  const estimate = (file: TestFile) => costs.get(file.name)?.seconds ?? Number.POSITIVE_INFINITY;
  return [...files].sort((a, b) => estimate(b) - estimate(a) || a.name.localeCompare(b.name));
}

/**
 * The share of a core a file keeps busy while it runs: its own processes' CPU seconds over the
 * seconds it would have taken on an idle machine (its wall seconds less the time its process waited
 * for a core), plus what it costs the shared Postgres (not measured per file: a tenth of a core).
 * Taking the waits out keeps the figure a file's own: measured in a crowded run, a busy file would
 * otherwise look light and the next run would crowd even more. Never measured: a whole core.
 */
export function coreShare(cost: FileCost | undefined): number {
  const POSTGRES_SHARE = 0.1;
  if (cost?.cpuSeconds === undefined || cost.seconds <= 0) return 1;
  const alone = Math.max(cost.seconds - (cost.waitSeconds ?? 0), cost.cpuSeconds / 1.5, 0.1);
  return Math.min(1.5, cost.cpuSeconds / alone) + POSTGRES_SHARE;
}

/** Below this share of a core (Postgres' tenth included), a file mostly waits. */
const WAITING_SHARE = 0.35;

/**
 * A file that mostly waits for events (a killed worker's job being handed on, a restart), so it may
 * run beside the busy ones instead of holding one of their places.
 */
export function mostlyWaits(cost: FileCost | undefined): boolean {
  return coreShare(cost) < WAITING_SHARE;
}

/**
 * Runs `work` for every item, in the order given, each as soon as `admit` lets it start beside those
 * running (and at most `maxRunning` at once). When the next item may not start yet, a later one that
 * may goes ahead; when none may, the pool waits for one to end. An item always starts when nothing
 * else runs.
 */
export async function runPool<T, R>(
  items: readonly T[],
  maxRunning: number,
  work: (item: T) => Promise<R>,
  admit: (item: T, running: readonly T[]) => boolean = () => true,
): Promise<R[]> {
  const results: R[] = [];
  const waiting = [...items];
  const running: T[] = [];
  let failure: { error: unknown } | undefined;
  return new Promise((resolve, reject) => {
    const startWhatFits = () => {
      if (failure) return;
      for (let index = 0; index < waiting.length && running.length < maxRunning;) {
        const item = waiting[index]!;
        if (running.length > 0 && !admit(item, running)) {
          index += 1;
          continue;
        }
        waiting.splice(index, 1);
        running.push(item);
        work(item).then(
          (result) => {
            results.push(result);
            running.splice(running.indexOf(item), 1);
            if (waiting.length === 0 && running.length === 0) resolve(results);
            else startWhatFits();
          },
          (error: unknown) => {
            failure ??= { error };
            running.splice(running.indexOf(item), 1);
            if (running.length === 0) reject(failure.error);
          },
        );
      }
    };
    if (waiting.length === 0) resolve(results);
    else startWhatFits();
  });
}
