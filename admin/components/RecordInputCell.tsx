import React, { useState } from 'react';
import type { BasePropertyProps } from 'adminjs';

/** Features shown in a list row; the rest are on hover and on the record's page. */
const FEATURES_SHOWN = 4;
/** Characters kept for the hover text: enough to read an email's start, not a 100 KB tooltip. */
const HOVER_CHARS = 1_500;

/** The record's `features.NAME` params as [name, value] pairs, in the order they were stored. */
function featuresOf(params: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(params)
    .filter(([key, value]) => key.startsWith('features.') && value !== null && value !== undefined)
    .map(([key, value]) => [key.slice('features.'.length), String(value)]);
}

/**
 * A record's model input in one list cell, at most two lines: the text of a text record (one line
 * of it when collapsed; click "more" to read it in the row), or a few features of a tabular one.
 * The whole input is the hover text, so the list stays scannable with long emails.
 */
const RecordInputCell: React.FC<BasePropertyProps> = ({ record }) => {
  const [open, setOpen] = useState(false);
  const params = (record?.params ?? {}) as Record<string, unknown>;
  const text = typeof params.text === 'string' ? params.text.replace(/\s+/g, ' ').trim() : '';
  const features = featuresOf(params);
  const full = text || features.map(([k, v]) => `${k} ${v}`).join(' · ');
  if (!full) return <span>—</span>;
  const shown =
    text ||
    features
      .slice(0, FEATURES_SHOWN)
      .map(([k, v]) => `${k} ${v}`)
      .join(' · ');
  const clamp: React.CSSProperties = open
    ? { whiteSpace: 'normal', maxHeight: 240, overflowY: 'auto' }
    : {
        display: '-webkit-box',
        WebkitLineClamp: 2,
        WebkitBoxOrient: 'vertical',
        overflow: 'hidden',
        wordBreak: 'break-word',
      };
  const long = full.length > 120;
  return (
    <div
      style={{ maxWidth: 400, minWidth: 260, display: 'flex', alignItems: 'flex-end', gap: 6 }}
      data-testid="record-input"
    >
      <div style={{ ...clamp, lineHeight: '18px', flex: 1 }} title={full.slice(0, HOVER_CHARS)}>
        {open ? full : shown}
      </div>
      {long ? (
        <button
          type="button"
          data-testid="record-input-toggle"
          onClick={(event) => {
            // The row itself opens the record: the toggle only expands the cell.
            event.stopPropagation();
            event.preventDefault();
            setOpen(!open);
          }}
          style={{ border: 0, background: 'none', padding: 0, color: '#3040D6', cursor: 'pointer', fontSize: 12 }}
        >
          {open ? 'less' : 'more'}
        </button>
      ) : null}
    </div>
  );
};

export default RecordInputCell;
