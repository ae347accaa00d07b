import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/platform/project-root.js';
import { NO_DATABASE } from '../setup/runner-env.js';
import { childrenCpuSeconds, machineCpuSeconds, ownCpuSeconds } from './cpu-seconds.js';
import { prepareFileDatabases } from './file-databases.js';
import { killGroup, runFile, type FileResult } from './run-file.js';
import { knownCosts, longestFirst, mostlyWaits, runPool } from './schedule.js';
import { failedFile, failureDetails, fileLine, groupTable, saveSeconds, slowestTable } from './summary.js';
import { findTestFiles, type TestFile } from './test-files.js';

/**
 * `npm test` (every file) and `npm run test:<group>` (`node dist/test/runner/run-tests.js [filter…]`,
 * a filter being a group, a folder or part of a file's name): each test file in a mocha process of
 * its own on a database of its own, longest first, TEST_CONCURRENCY busy files at a time and beside
 * them up to TEST_WAITING_CONCURRENCY files that mostly wait (measured in earlier runs). Each file's
 * output goes to test-results/<file>.log; the end of the output lists the failures, the slowest
 * files, and `N passed, N failed`.
 */
const started = performance.now();
const machineAtStart = machineCpuSeconds();
const root = projectRoot;
process.chdir(root);
const resultsDir = path.join(root, 'test-results');
const secondsFile = path.join(resultsDir, 'file-seconds.json');
const cores = os.availableParallelism();
// Busy files, twice the cores at a time: more made the suite slower, not faster (six: 655 s against
// four's 595; packing files by their measured share of a core up to 2.5 cores: 1,037 s, the machine
// busy 2,066 CPU s against about 1,300, since waiting loops and servers spin longer on a crowded
// machine). One file that mostly waits (a killed worker's job being handed on) may run beside them; a
// file whose work is in Postgres looks waiting too, so more than one is not safe.
const concurrency = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, 2 * cores));
const waitingConcurrency = Number(process.env.TEST_WAITING_CONCURRENCY ?? 1);
// Each browser file drives a Chromium of its own, the heaviest thing in the suite: four at once on two
// cores made first page loads outlast Playwright's 30 s.
const browsers = Number(process.env.TEST_BROWSER_CONCURRENCY ?? Math.max(2, Math.floor(cores / 2)));

const files = findTestFiles(root, process.argv.slice(2));
if (files.length === 0) {
  console.error(`No test file matches ${process.argv.slice(2).join(', ')} (built? run npm run build).`);
  process.exit(1);
}
const costs = knownCosts([secondsFile, path.join(root, 'test', 'runner', 'file-seconds.json')]);
const order = longestFirst(files, costs);
// Browser files are busy whatever their figures say: Chromium's renderers escape the process tree's CPU.
const waits = (file: TestFile) => !file.browser && mostlyWaits(costs.get(file.name));
console.log(
  `${files.length} test files, longest first, ${concurrency} busy files at a time (TEST_CONCURRENCY) and ${waitingConcurrency} that mostly wait (TEST_WAITING_CONCURRENCY), browser files ${browsers} at a time (TEST_BROWSER_CONCURRENCY); logs in test-results/`,
);

const databases = await prepareFileDatabases(process.env.TEST_DATABASE_URL);
console.log(`template database ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);
const running = new Set<number>();
const stopAll = async (signal: NodeJS.Signals) => {
  for (const pid of running) killGroup(pid, 'SIGKILL');
  await databases.close();
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.once('SIGINT', () => void stopAll('SIGINT'));
process.once('SIGTERM', () => void stopAll('SIGTERM'));

let results: FileResult[];
try {
  results = await runPool(
    order,
    concurrency + waitingConcurrency,
    async (file) => {
      // Unit files are pure code: no database to clone for them (nor to drop).
      const url = file.group === 'unit' ? NO_DATABASE : await databases.create(file.name);
      try {
        const result = await runFile(file, url, path.join(resultsDir, `${file.name}.log`), running);
        console.log(fileLine(result));
        return result;
      } finally {
        if (url !== NO_DATABASE) await databases.drop(url);
      }
    },
    (file, running) =>
      (!file.browser || running.filter((other) => other.browser).length < browsers) &&
      (waits(file)
        ? running.filter(waits).length < waitingConcurrency
        : running.filter((other) => !waits(other)).length < concurrency),
  );
} finally {
  await databases.close();
}

fs.mkdirSync(resultsDir, { recursive: true });
saveSeconds(secondsFile, results);
const failed = results.filter(failedFile);
if (failed.length > 0) console.log(`\n${failed.map((result) => failureDetails(result, root)).join('\n')}`);
console.log(`\n${slowestTable(results)}\n\n${groupTable(results)}`);
const children = childrenCpuSeconds();
const cpu =
  children === undefined ? '' : `, ${Math.round(children + ownCpuSeconds())} CPU s (all processes, user + system)`;
const machineAtEnd = machineCpuSeconds();
// The machine's busy CPU also holds what the process trees miss (Chromium's renderers) and anything
// else running on the machine meanwhile: on a quiet machine, it is the suite's true cost.
const machine =
  machineAtStart && machineAtEnd
    ? `; the machine was busy ${Math.round(machineAtEnd.busy - machineAtStart.busy)} of its ${Math.round(machineAtEnd.total - machineAtStart.total)} CPU s`
    : '';
console.log(`\n${files.length} files in ${Math.round((performance.now() - started) / 1000)} s wall${cpu}${machine}`);
if (failed.length > 0) console.log(`failed files: ${failed.map((result) => result.file.name).join(', ')}`);
const sum = (count: (result: FileResult) => number) => results.reduce((total, result) => total + count(result), 0);
const skipped = sum((r) => r.pending);
// A file that failed with no failing test (a leak, a crash, a timeout) counts as one failure.
const failures = sum((r) => (failedFile(r) ? Math.max(r.failed, 1) : 0));
console.log(`${sum((r) => r.passed)} passed, ${failures} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed.length > 0 ? 1 : 0);
