import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigSchema } from '../../src/platform/config.js';
import { projectRoot } from '../../src/platform/project-root.js';

// The README is the front door: anything longer belongs in docs/, one link away.
const README_MAX_LINES = 200;

function markdownFiles(): string[] {
  const docs = fs.readdirSync(path.join(projectRoot, 'docs')).filter((name) => name.endsWith('.md'));
  return ['README.md', 'SECURITY.md', ...docs.map((name) => path.join('docs', name))];
}

/** Text outside fenced code blocks and inline code, where `](` is prose, not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('documentation', () => {
  it(`keeps README.md at ${README_MAX_LINES} lines or fewer`, () => {
    const lines = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8').split('\n').length;
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines: move the detail into docs/`);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const markdown = fs.readFileSync(path.join(projectRoot, file), 'utf8');
      for (const link of relativeLinks(markdown)) {
        const [target = '', anchor] = link.split('#');
        const resolved =
          target === ''
            ? path.join(projectRoot, file)
            : path.resolve(projectRoot, path.dirname(file), decodeURIComponent(target));
        if (!fs.existsSync(resolved)) {
          broken.push(`${file}: ${link} (no such file)`);
        } else if (anchor && resolved.endsWith('.md') && !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${file}: ${link} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('lists every configuration variable in docs/configuration.md', () => {
    const table = fs.readFileSync(path.join(projectRoot, 'docs', 'configuration.md'), 'utf8');
    const missing = Object.keys(ConfigSchema.shape).filter((name) => !table.includes(`\`${name}\``));
    assert.deepEqual(missing, [], 'add these variables to the table in docs/configuration.md');
  });
});
