import React from 'react';
import { BasePropertyComponent, useResource, type FilterPropertyProps } from 'adminjs';

/**
 * AdminJS's reference filter (a search of the referenced rows), offered only when this person may
 * search them: the console then never calls a search the role is refused (and audited as denied)
 * for. The resources the page knows carry only the actions allowed to the signed-in person.
 */
const AllowedReferenceFilter: React.FC<FilterPropertyProps> = (props) => {
  const referenced = useResource(props.property.reference ?? '');
  if (!referenced?.resourceActions.some((action) => action.name === 'search')) return null;
  const { components: _custom, ...property } = props.property;
  return <BasePropertyComponent {...props} property={property} where="filter" />;
};

export default AllowedReferenceFilter;
