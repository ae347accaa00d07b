import React, { useState } from 'react';

/** Text longer than this is cut, with a button to show it whole: an email body must not fill the page. */
const SHOWN_CHARACTERS = 160;
/** Characters kept on each side of the changed part of a long text. */
const CONTEXT = 50;

export const BEFORE_BACKGROUND = '#FDECEA';
export const AFTER_BACKGROUND = '#E8F5E9';
const MARK_BEFORE = { background: '#F5B7B1', textDecoration: 'line-through' } as const;
const MARK_AFTER = { background: '#A9DFBF' } as const;

/** Record fields in the order the record's page shows them; others after, by name. */
const FIELD_ORDER = ['datasetId', 'text', 'features', 'label', 'split', 'tags', 'source', 'deletedAt'];

/** Field names once each, in the record page's order. */
export function inRecordOrder(fields: readonly string[]): string[] {
  const rank = (field: string) => {
    const i = FIELD_ORDER.indexOf(field);
    return i === -1 ? FIELD_ORDER.length : i;
  };
  return [...new Set(fields)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The fields of a change's before and after, in the record page's order. */
export const changedFields = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  inRecordOrder([...Object.keys(before), ...Object.keys(after)]);

/** A stored value as a person reads it: "empty" for null, lists comma-separated, objects as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'empty';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => valueText(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The common start and end of two texts: what lies between them is what changed. */
function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix += 1;
  return { prefix, suffix };
}

/**
 * One side of a change, the changed part marked: in a text, the part between what both sides share;
 * in a list (tags), the items the other side lacks. Long text is cut around the change, with "show all".
 */
export const ChangeValue: React.FC<{ value: unknown; other: unknown; side: 'before' | 'after'; testId?: string }> = ({
  value,
  other,
  side,
  testId,
}) => {
  const [whole, setWhole] = useState(false);
  const mark = side === 'before' ? MARK_BEFORE : MARK_AFTER;
  if (Array.isArray(value)) {
    const others = Array.isArray(other) ? other.map((v) => valueText(v)) : [];
    if (value.length === 0) return <span data-testid={testId}>none</span>;
    return (
      <span data-testid={testId}>
        {value.map((item, i) => {
          const text = valueText(item);
          return (
            <React.Fragment key={`${i}-${text}`}>
              {i > 0 ? ', ' : ''}
              {others.includes(text) ? text : <mark style={mark}>{text}</mark>}
            </React.Fragment>
          );
        })}
      </span>
    );
  }
  const text = valueText(value);
  const otherText = typeof other === 'string' && typeof value === 'string' ? other : undefined;
  if (otherText === undefined) {
    return <Cut text={text} whole={whole} onWhole={() => setWhole(true)} testId={testId} />;
  }
  const { prefix, suffix } = commonEnds(text, otherText);
  const changed = text.slice(prefix, text.length - suffix);
  let start = text.slice(0, prefix);
  let end = text.slice(text.length - suffix);
  const long = text.length > SHOWN_CHARACTERS && !whole;
  if (long) {
    start = start.length > CONTEXT ? `…${start.slice(-CONTEXT)}` : start;
    end = end.length > CONTEXT ? `${end.slice(0, CONTEXT)}…` : end;
  }
  const middle = long && changed.length > SHOWN_CHARACTERS ? `${changed.slice(0, SHOWN_CHARACTERS)}…` : changed;
  return (
    <span data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {start}
      {middle ? <mark style={mark}>{middle}</mark> : null}
      {end}
      {long ? <ShowAll length={text.length} onClick={() => setWhole(true)} /> : null}
    </span>
  );
};

const Cut: React.FC<{ text: string; whole: boolean; onWhole: () => void; testId?: string }> = ({
  text,
  whole,
  onWhole,
  testId,
}) => {
  const long = text.length > SHOWN_CHARACTERS && !whole;
  return (
    <span data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {long ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text}
      {long ? <ShowAll length={text.length} onClick={onWhole} /> : null}
    </span>
  );
};

const ShowAll: React.FC<{ length: number; onClick: () => void }> = ({ length, onClick }) => (
  <button
    type="button"
    onClick={onClick}
    data-testid="show-all"
    style={{
      marginLeft: 6,
      border: 'none',
      background: 'none',
      color: '#3040D6',
      cursor: 'pointer',
      padding: 0,
      fontSize: 'inherit',
    }}
  >
    show all ({length.toLocaleString('en')} characters)
  </button>
);

/** "Dec 7, 2026, 13:55:02 UTC": times on these pages are in UTC, like the audit log's. */
export function utcTime(at: string | Date): string {
  return `${new Date(at).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** The words for an audit action on records, for people who do not read `records.bulk_update`. */
export const ACTION_WORDS: Record<string, string> = {
  'records.create': 'created',
  'records.update': 'edited',
  'records.bulk_update': 'bulk edit',
  'records.import': 'CSV import',
  'records.delete': 'deleted',
  'records.restore': 'restored (undeleted)',
  'records.revert': 'revert',
  'records.restore_version': 'restored to an earlier version',
};

export const actionWords = (action: string) => ACTION_WORDS[action] ?? action;
