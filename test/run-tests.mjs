// `npm test`: the suite in two mocha runs side by side, each its own process with its own embedded
// Postgres (test/setup/hooks.ts), so a 2-core machine does about half the waiting (processes, Postgres,
// Chromium) of one serial run. Each run's output is kept whole and printed when it ends; the last line
// adds them up. Groups are split by what they share: the integration suites start and count real
// server processes, the security and browser suites drive one in-process server each.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

// Two integration suites that restart real processes run with the second part, which is otherwise
// the shorter one (measured: 854 s and 623 s with them in the first).
const MOVED = ['dist/test/integration/server/database-restart.test.js', 'dist/test/integration/jobs/worker-crash.test.js'];
const GROUPS = [
  { name: 'unit-and-integration', spec: ['dist/test/unit/**/*.test.js', 'dist/test/integration/**/*.test.js'], ignore: MOVED },
  { name: 'security-and-browser', spec: ['dist/test/security/**/*.test.js', 'dist/test/e2e/**/*.test.js', ...MOVED] },
];
const outDir = path.resolve('test-results');
fs.mkdirSync(outDir, { recursive: true });

const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 1000);

function run(group) {
  const file = path.join(outDir, `${group.name}.log`);
  const out = fs.openSync(file, 'w');
  const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', ...(group.ignore ?? []).flatMap((file) => ['--ignore', file])], {
    env: { ...process.env, MOCHA_SPEC: JSON.stringify(group.spec) },
    stdio: ['ignore', out, out],
  });
  console.log(`${group.name}: started (pid ${child.pid}), output in ${path.relative(process.cwd(), file)}`);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      fs.closeSync(out);
      const text = fs.readFileSync(file, 'utf8');
      const count = (word) => Number(stripVTControlCharacters(text).match(new RegExp(`^\\s*(\\d+) ${word}`, 'm'))?.[1] ?? 0);
      console.log(`${group.name}: finished after ${seconds()} s (exit ${code ?? signal})`);
      resolve({ group, code: code ?? 1, text, passed: count('passing'), failed: count('failing'), pending: count('pending') });
    });
  });
}

const results = await Promise.all(GROUPS.map(run));
for (const result of results) {
  console.log(`\n===== ${result.group.name} =====\n`);
  process.stdout.write(result.text);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
const pending = results.reduce((sum, r) => sum + r.pending, 0);
const broken = results.filter((r) => r.code !== 0 && r.failed === 0).map((r) => r.group.name);
if (broken.length > 0) console.log(`\n${broken.join(', ')}: mocha exited non-zero without a failing test (see its output above)`);
console.log(`\nall tests in ${seconds()} s:`);
console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
