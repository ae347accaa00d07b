import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { Link } from '@adminjs/design-system';

/** A version in the versions list as "penguin-species v2", opening the version. */
const VersionName: React.FC<BasePropertyProps> = ({ record }) => {
  const params = record?.params ?? {};
  const name = `${String(params.modelName ?? `model ${String(params.modelId)}`)} v${String(params.version)}`;
  return (
    <Link href={`/admin/resources/modelVersions/records/${String(record?.id)}/show`} style={{ whiteSpace: 'nowrap' }}>
      {name}
    </Link>
  );
};

export default VersionName;
