import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import { useTranslation } from 'adminjs';
import { ValueGroup } from '@adminjs/design-system';

/**
 * A long text on a record's page (an email of 50,000 characters): whole, as written (line breaks kept,
 * long words wrapped), in a box of its own that scrolls, so the fields after it stay one glance away.
 */
const LongText: React.FC<ShowPropertyProps> = ({ record, property }) => {
  const { translateProperty } = useTranslation();
  const raw: unknown = record.params[property.path];
  const text = raw === null || raw === undefined ? '' : String(raw);
  return (
    <ValueGroup label={translateProperty(property.label, property.resourceId)}>
      {text === '' ? (
        <span>—</span>
      ) : (
        <>
          <div
            data-testid="long-text"
            style={{
              whiteSpace: 'pre-wrap',
              overflowWrap: 'anywhere',
              boxSizing: 'border-box',
              maxHeight: '24rem',
              overflowY: 'auto',
              border: '1px solid #E4E6EF',
              borderRadius: 4,
              padding: '8px 12px',
              fontFamily: 'inherit',
              lineHeight: 1.5,
            }}
          >
            {text}
          </div>
          <small style={{ color: '#6B7280' }}>{text.length.toLocaleString('en')} characters</small>
        </>
      )}
    </ValueGroup>
  );
};

export default LongText;
