import type { ResourceWithOptions } from 'adminjs';
import { decide } from '../src/access/decide.js';
import { Role } from '../src/access/roles.js';

/**
 * Marks every reference property with the roles that may search the resource it points to
 * (`custom.searchRoles`, from the rule table), so its filter (admin/components/ReferenceFilter.tsx)
 * is offered only to them instead of searching on their behalf and being refused.
 */
export function withReferenceSearchRoles(resources: ResourceWithOptions[]): ResourceWithOptions[] {
  const searchRoles = (reference: string) =>
    Role.options.filter((role) => decide({ type: 'user', id: 0, email: '', role }, reference, 'search') !== false);
  for (const { options } of resources) {
    for (const property of Object.values(options.properties ?? {})) {
      if (typeof property?.reference === 'string')
        property.custom = { ...property.custom, searchRoles: searchRoles(property.reference) };
    }
  }
  return resources;
}
