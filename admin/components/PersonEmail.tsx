import React from 'react';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { Link, ValueGroup } from '@adminjs/design-system';

/**
 * A person column (Created by, Updated by, Owner) as an email, never a bare id: a link to the user when
 * the role may open users (the reference is populated), else the label the resource added
 * (`createdById` → `createdByLabel`, resources/hooks/add-person-labels.ts); "system" when nobody is named.
 */
const PersonEmail: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const { translateProperty } = useTranslation();
  const path = property.path;
  const populated = record?.populated?.[path];
  const label = record?.params?.[path.replace(/Id$/, 'Label')] as string | undefined;
  const id: unknown = record?.params?.[path];
  const named = id === null || id === undefined || id === '' ? 'system' : (label ?? 'another user');
  const value = (
    <span style={{ whiteSpace: 'nowrap' }} data-testid={`person-${path}`}>
      {populated ? <Link href={`/admin/resources/users/records/${populated.id}/show`}>{populated.title}</Link> : named}
    </span>
  );
  if (where !== 'show') return value;
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{value}</ValueGroup>;
};

export default PersonEmail;
