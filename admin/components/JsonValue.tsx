import React from 'react';
import { flat, useTranslation, type ShowPropertyProps } from 'adminjs';
import { Box, Label } from '@adminjs/design-system';

/** A JSON column (object or array), pretty-printed as text: React escapes it, so nothing in it can run. */
const JsonValue: React.FC<ShowPropertyProps> = ({ record, property }) => {
  const { translateProperty } = useTranslation();
  const value = flat.unflatten<unknown, Record<string, unknown>>(record.params)[property.path];
  const empty = value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0);
  return (
    <Box mb="xl">
      <Label>{translateProperty(property.label, property.resourceId)}</Label>
      {empty ? (
        <span>—</span>
      ) : (
        <pre
          style={{
            whiteSpace: 'pre-wrap',
            wordBreak: 'break-word',
            fontSize: 13,
            margin: 0,
            maxHeight: 360,
            overflow: 'auto',
          }}
        >
          {JSON.stringify(value, null, 2)}
        </pre>
      )}
    </Box>
  );
};

export default JsonValue;
