import assert from 'node:assert/strict';
import { createAdmin } from '../../../admin/index.js';
import { translations } from '../../../admin/locale.js';
import { useTestDatabase } from '../../support/database.js';

const BUILT_IN = new Set(['list', 'show', 'new', 'edit', 'delete', 'bulkDelete', 'search']);

describe('every field and action of the console explains itself', () => {
  before(useTestDatabase);

  it('gives every property a role can see (list, show, edit, filter) help text saying what it means', () => {
    const missing: string[] = [];
    for (const resource of createAdmin().resources) {
      const decorated = resource.decorate();
      for (const where of ['list', 'show', 'edit', 'filter'] as const) {
        for (const property of decorated.getProperties({ where })) {
          const description = property.options.description;
          if (typeof description !== 'string' || description.trim().length < 10)
            missing.push(`${decorated.id()}.${property.propertyPath} (${where})`);
        }
      }
    }
    assert.deepEqual([...new Set(missing)], [], 'add `description` to these properties in resources/');
  });

  it('labels every custom action in words (admin/locale.ts), not with its code name', () => {
    const labels = (translations.actions ?? {}) as Record<string, unknown>;
    const missing: string[] = [];
    for (const resource of createAdmin().resources) {
      const decorated = resource.decorate();
      for (const name of Object.keys(decorated.actions))
        if (!BUILT_IN.has(name) && typeof labels[name] !== 'string') missing.push(`${decorated.id()}.${name}`);
    }
    assert.deepEqual(missing, []);
  });
});
