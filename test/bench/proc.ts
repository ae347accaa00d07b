import fs from 'node:fs/promises';

// What the benchmarks read of other processes, from /proc (Linux).

/** Resident memory of one process in KiB (VmRSS), or null when it is gone. */
export async function rssKiB(pid: number): Promise<number | null> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const match = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** Pids whose parent is `parent` (like `ps --ppid`). */
export async function childrenOf(parent: number): Promise<number[]> {
  const pids = (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const parents = await Promise.all(
    pids.map(async (pid) => {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      // Fields after "(comm)": state, ppid, …; comm may hold spaces or parentheses.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    }),
  );
  return pids.filter((_, i) => parents[i] === parent);
}

/** A process's command line, arguments separated by NUL ('' when it is gone). */
export function cmdlineOf(pid: number): Promise<string> {
  return fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
}
