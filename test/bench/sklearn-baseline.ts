import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/platform/project-root.js';

/** Debian's python with apt packages (a pyenv shim on PATH may lack them). */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

export interface BaselineInput {
  features: number;
  train: { x: Float64Array; y: Uint8Array };
  test: { x: Float64Array; y: Uint8Array };
  texts: Array<{ text: string; label: string; split: string }>;
  repeats: number;
}

/** Makes scikit-learn importable: installs python3-sklearn from Debian when missing and we are root. */
function ensureSklearn(): string | null {
  const probe = () => spawnSync(PYTHON, ['-c', 'import sklearn, numpy'], { encoding: 'utf8' }).status === 0;
  if (probe()) return null;
  if (process.getuid?.() !== 0)
    return `scikit-learn is not installed for ${PYTHON} (apt-get install python3-sklearn), and we are not root`;
  process.stderr.write('Installing scikit-learn for the training baseline (apt-get install python3-sklearn)…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'python3-sklearn', 'python3-numpy'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
  } catch (error) {
    return `could not install python3-sklearn: ${(error as Error).message}`;
  }
  return probe() ? null : 'python3-sklearn installed but not importable';
}

/**
 * The same data fitted by scikit-learn in a child process, as the in-run baseline (same machine,
 * same moment). Returns its JSON, or `{ skipped: reason }` when no scikit-learn can be had.
 */
export function runSklearnBaseline(input: BaselineInput): Record<string, unknown> {
  const missing = ensureSklearn();
  if (missing) return { skipped: missing };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldesk-bench-'));
  try {
    const write = (name: string, data: ArrayBufferView) =>
      fs.writeFileSync(path.join(folder, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    write('train_x.f64', input.train.x);
    write('train_y.u8', input.train.y);
    write('test_x.f64', input.test.x);
    write('test_y.u8', input.test.y);
    fs.writeFileSync(path.join(folder, 'text.jsonl'), input.texts.map((row) => JSON.stringify(row)).join('\n'));
    fs.writeFileSync(
      path.join(folder, 'meta.json'),
      JSON.stringify({ features: input.features, repeats: input.repeats }),
    );
    const script = path.join(projectRoot, 'test', 'bench', 'sklearn_baseline.py');
    const run = spawnSync(PYTHON, [script, folder], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
    if (run.status !== 0) return { skipped: `the baseline script failed: ${run.stderr.trim().split('\n').at(-1)}` };
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
