import fs from 'node:fs';
import path from 'node:path';

/** The groups of test files, each a folder of test/; `npm run test:<group>` runs one. */
export const GROUPS = ['unit', 'integration', 'security', 'e2e'] as const;

export interface TestFile {
  /** Relative to dist/test, without `.test.js`: `integration/records/import-records`. */
  name: string;
  group: (typeof GROUPS)[number];
  /** The compiled file mocha runs. */
  path: string;
  /** It drives a Chromium of its own (it launches one): the runner limits how many of these run at once. */
  browser: boolean;
}

/**
 * The compiled test files whose TypeScript source still exists (a file moved or deleted in test/
 * leaves its old build in dist/), narrowed to those of `filters` (a group, or any part of a file's
 * name: a folder, a file; `revert.test` names that file alone, not revert-api), or all of them.
 */
export function findTestFiles(root: string, filters: readonly string[]): TestFile[] {
  const files: TestFile[] = [];
  for (const group of GROUPS) {
    const dir = path.join(root, 'dist', 'test', group);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.test.js')) continue;
      const name = `${group}/${entry.slice(0, -'.test.js'.length)}`;
      const source = path.join(root, 'test', `${name}.test.ts`);
      if (!fs.existsSync(source)) continue;
      const browser = fs.readFileSync(source, 'utf8').includes('launchChromium(');
      files.push({ name, group, path: path.join('dist', 'test', `${name}.test.js`), browser });
    }
  }
  const matches = (file: TestFile, filter: string) =>
    (GROUPS as readonly string[]).includes(filter) ? file.group === filter : `${file.name}.test`.includes(filter);
  const wanted = files.filter((file) => filters.length === 0 || filters.some((filter) => matches(file, filter)));
  return wanted.sort((a, b) => a.name.localeCompare(b.name));
}
