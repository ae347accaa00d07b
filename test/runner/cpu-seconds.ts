import fs from 'node:fs';

/**
 * CPU seconds (user + system) of this process and of its children that have ended, theirs included:
 * what one test file cost, read as its process exits.
 */
export function processTreeCpuSeconds(): number | undefined {
  return statSeconds([11, 12, 13, 14]);
}

/**
 * CPU seconds (user + system) of this process's children that have ended and been waited for,
 * their own children included (Linux: /proc/self/stat). Undefined where /proc is missing.
 */
export function childrenCpuSeconds(): number | undefined {
  return statSeconds([13, 14]);
}

/**
 * Seconds this process was ready to run but waited for a core (Linux: /proc/self/schedstat, second
 * field, nanoseconds): how much a busy machine slowed it down. Undefined where it is missing.
 */
export function runQueueWaitSeconds(): number | undefined {
  try {
    const waited = Number(fs.readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(waited) ? waited / 1e9 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of this process itself. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Clock ticks are 1/100 s on every Linux user space (USER_HZ). */
const TICKS_PER_SECOND = 100;

function statSeconds(fields: readonly number[]): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // The command name is in parentheses and may contain spaces: count fields after it (state is 0).
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.reduce((sum, index) => sum + Number(after[index]), 0) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine spent busy (every core: user, nice, system, irq, softirq, steal) and
 * the seconds it had (idle and I/O wait included), from /proc/stat's first line. Read at the start and
 * end of a run, the difference counts what no process tree can: Chromium's renderer and GPU
 * processes, which outlive their browser and are reaped by init, and the shared Postgres' backends.
 * Undefined where /proc is missing.
 */
export function machineCpuSeconds(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy: busy / TICKS_PER_SECOND, total: (busy + idle! + iowait!) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}
