import assert from 'node:assert/strict';
import { always } from '../../../src/access/predicates/always.js';
import { checkConsole } from '../../../src/web/startup-checks.js';

describe('startup checks', () => {
  const builtIns = ['list', 'show'];

  it('MD-E001: a custom action with no rule', () => {
    const results = checkConsole(
      { actions: { records: ['list', 'retrain'] }, builtIns, componentFiles: [] },
      { records: { list: { admin: always } } },
    );
    assert.deepEqual(
      results.map((r) => r.id),
      ['MD-E001'],
    );
  });

  it('MD-E002: a rule naming no declared action', () => {
    const results = checkConsole(
      { actions: { records: ['list'] }, builtIns, componentFiles: [] },
      { records: { list: { admin: always }, publish: { admin: always } } },
    );
    assert.deepEqual(
      results.map((r) => r.id),
      ['MD-E002'],
    );
  });

  it('MD-E003: a component source file that is missing', () => {
    const results = checkConsole({ actions: {}, builtIns, componentFiles: ['/nonexistent/Widget.tsx'] }, {});
    assert.deepEqual(
      results.map((r) => r.id),
      ['MD-E003'],
    );
  });

  it('passes for the real console and rule table', async () => {
    const { consoleChecks } = await import('../../../admin/index.js');
    assert.deepEqual(consoleChecks(), []);
  });
});
