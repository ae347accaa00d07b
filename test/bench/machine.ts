import os from 'node:os';

/** What every benchmark's JSON says about the machine it ran on (load average: how quiet it was). */
export function machine() {
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg(),
  };
}
