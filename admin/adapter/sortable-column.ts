import type { ResourceDecorator } from 'adminjs';
import type { Model, ModelStatic } from 'sequelize';
import { InvalidInput } from '../../src/errors/domain-error.js';

/**
 * `sortBy` arrives from the URL: only a column the list offers to sort by is accepted (never a
 * hidden one such as a password hash, never an expression), so the ORDER BY is one of a known set.
 * `decorated` is the resource as AdminJS decorated it; null outside AdminJS (a benchmark, a script),
 * where the allow-list is the model's columns.
 */
export function sortableColumn(model: ModelStatic<Model>, decorated: ResourceDecorator | null, sortBy: string): string {
  const attributes = model.getAttributes();
  if (!decorated) {
    if (Object.hasOwn(attributes, sortBy)) return sortBy;
    throw new InvalidInput(
      'list.sort_by',
      `Cannot sort ${model.name} records by "${sortBy.slice(0, 60)}": sort by one of its columns.`,
      { sortBy: 'not a column' },
    );
  }
  if (sortBy === decorated.options.sort?.sortBy) return sortBy;
  const property = Object.hasOwn(attributes, sortBy) ? decorated.getPropertyByKey(sortBy) : null;
  if (property && property.isSortable() && (property.isVisible('list') || property.isVisible('show'))) return sortBy;
  const offered = decorated
    .getListProperties()
    .filter((p) => p.isSortable() && Object.hasOwn(attributes, p.propertyPath))
    .map((p) => p.propertyPath);
  throw new InvalidInput(
    'list.sort_by',
    `Cannot sort ${model.name} records by "${sortBy.slice(0, 60)}": sort by one of ${offered.join(', ')}.`,
    { sortBy: 'not a sortable column' },
  );
}
