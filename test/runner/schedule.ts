import fs from 'node:fs';
import type { TestFile } from './test-files.js';

/**
 * Seconds each file took in earlier runs: test-results/file-seconds.json from the last run on this
 * machine, else the figures committed in test/runner/file-seconds.json (a clean clone, CI).
 */
export function knownSeconds(files: readonly string[]): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) continue;
    for (const [name, value] of Object.entries(parsed))
      if (typeof value === 'number' && !seconds.has(name)) seconds.set(name, value);
  }
  return seconds;
}

/**
 * Longest first: the run ends when its longest file does, so that one must start at once, and the
 * short ones fill the gaps at the end. A file never timed goes first (it may be long).
 */
export function longestFirst(files: readonly TestFile[], seconds: ReadonlyMap<string, number>): TestFile[] {
  const estimate = (file: TestFile) => seconds.get(file.name) ?? Number.POSITIVE_INFINITY;
  return [...files].sort((a, b) => estimate(b) - estimate(a) || a.name.localeCompare(b.name));
}

/**
 * Runs `work` for every item, at most `concurrency` at a time, in the order given, except that at
 * most `limit.max` items of one kind (`limit.kind`) run at once: the next item of another kind goes
 * ahead meanwhile.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
  limit?: { kind: (item: T) => boolean; max: number },
): Promise<R[]> {
  const results: R[] = [];
  const waiting = [...items];
  let ofKind = 0;
  const sleeping: Array<() => void> = [];
  const next = (): T | undefined => {
    const index = waiting.findIndex((item) => !limit?.kind(item) || ofKind < limit.max);
    return index === -1 ? undefined : waiting.splice(index, 1)[0];
  };
  const lane = async (): Promise<void> => {
    while (waiting.length > 0) {
      const item = next();
      if (item === undefined) {
        await new Promise<void>((resolve) => sleeping.push(resolve)); // only limited kinds are left: wait for one to end
        continue;
      }
      const limited = limit?.kind(item) ?? false;
      if (limited) ofKind += 1;
      try {
        results.push(await work(item));
      } finally {
        if (limited) ofKind -= 1;
        sleeping.splice(0).forEach((resolve) => resolve());
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
