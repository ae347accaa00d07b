import React from 'react';
import { ViewHelpers, type BasePropertyProps } from 'adminjs';
import { Link } from 'react-router-dom';

const h = new ViewHelpers();

/**
 * A referenced row (a record's dataset) in a list cell by its name, on one line, cut with an ellipsis
 * when long (the whole name on hover), linked to its page.
 */
const ReferenceCell: React.FC<BasePropertyProps> = ({ record, property }) => {
  const populated = record?.populated?.[property.path];
  const id: unknown = (record?.params ?? {})[property.path];
  if (id === null || id === undefined || id === '') return <span>—</span>;
  const title = populated?.title ?? String(id);
  const style: React.CSSProperties = {
    display: 'inline-block',
    maxWidth: 180,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    verticalAlign: 'bottom',
  };
  if (!populated || !property.reference) return <span style={style}>{title}</span>;
  return (
    <Link
      to={h.recordActionUrl({ resourceId: property.reference, recordId: String(id), actionName: 'show' })}
      style={style}
      title={title}
      onClick={(event) => event.stopPropagation()}
    >
      {title}
    </Link>
  );
};

export default ReferenceCell;
