import React from 'react';
import { useCurrentAdmin, type BasePropertyProps } from 'adminjs';

/**
 * The filter of a reference column (Created by, Dataset…). AdminJS's own one searches the referenced
 * resource as soon as the drawer renders; a role that may not search it would be refused (403, audited
 * as denied) by merely opening a list. Such a role gets no such filter; every other role gets AdminJS's.
 * `custom.searchRoles` is filled from the rule table where the console is built (admin/reference-search.ts).
 */
const ReferenceFilter: React.FC<BasePropertyProps & { OriginalComponent?: React.ComponentType<BasePropertyProps> }> = (
  props,
) => {
  const { OriginalComponent, property } = props;
  const [currentAdmin] = useCurrentAdmin();
  const searchRoles = (property.custom as { searchRoles?: string[] } | undefined)?.searchRoles;
  const role = (currentAdmin as { role?: string } | null)?.role;
  if (searchRoles && (!role || !searchRoles.includes(role))) return null;
  return OriginalComponent ? <OriginalComponent {...props} /> : null;
};

export default ReferenceFilter;
