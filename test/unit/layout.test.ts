import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/platform/project-root.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const importsOf = (file: string) =>
  [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

// Imports point one way: models/ ← src/ ← resources/, admin/ (STYLE.md). The single exception is the
// composition root of the web process, which loads the console with a dynamic import.
const COMPOSITION_ROOT = path.join('src', 'web', 'compose-web-app.ts');

describe('module layout', () => {
  it('src/ never imports AdminJS, admin/ or resources/ (except the composition root)', () => {
    for (const file of sources(path.join(projectRoot, 'src'))) {
      if (file.endsWith(COMPOSITION_ROOT)) continue;
      for (const spec of importsOf(file)) {
        assert.ok(!/^(adminjs|@adminjs\/)/.test(spec), `${path.relative(projectRoot, file)} imports ${spec}`);
        assert.ok(!/\/(admin|resources)\//.test(spec), `${path.relative(projectRoot, file)} imports ${spec}`);
      }
    }
  });

  it('the web process is assembled in src/web/ only: src/server/ and src/web/ never reach into the CLI, src/server/ never into src/web/', () => {
    for (const [dir, forbidden] of [['server', /\/(cli|web)\//], ['web', /\/cli\//]] as const) {
      for (const file of sources(path.join(projectRoot, 'src', dir))) {
        for (const spec of importsOf(file)) assert.ok(!forbidden.test(spec), `${path.relative(projectRoot, file)} imports ${spec}`);
      }
    }
  });

  it('models/ imports nothing from src/, admin/ or resources/', () => {
    for (const file of sources(path.join(projectRoot, 'models'))) {
      for (const spec of importsOf(file)) assert.ok(!/\.\.\/(src|admin|resources)\//.test(spec), `${path.relative(projectRoot, file)} imports ${spec}`);
    }
  });
});
