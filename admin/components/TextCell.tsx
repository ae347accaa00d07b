import React from 'react';
import type { BasePropertyProps } from 'adminjs';

const pad = (n: number) => String(n).padStart(2, '0');

/** A time as the lists show it, in the browser's time zone, on one line: 2026-12-07 16:21. */
function formatTime(value: unknown): string {
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * A list cell that never grows a row: one line (`custom.lines` 1, the default: emails, dates, action
 * names) or two lines (`custom.lines` 2: reasons, descriptions), the whole value on hover.
 */
const TextCell: React.FC<BasePropertyProps> = ({ record, property }) => {
  const raw: unknown = (record?.params ?? {})[property.path];
  if (raw === null || raw === undefined || raw === '') return <span>—</span>;
  const text = property.type === 'datetime' || property.type === 'date' ? formatTime(raw) : String(raw);
  const lines = (property.custom as { lines?: number } | undefined)?.lines === 2 ? 2 : 1;
  const style: React.CSSProperties =
    lines === 1
      ? { whiteSpace: 'nowrap' }
      : {
          display: '-webkit-box',
          WebkitLineClamp: 2,
          WebkitBoxOrient: 'vertical',
          overflow: 'hidden',
          wordBreak: 'break-word',
          minWidth: 200,
          maxWidth: 520,
        };
  return (
    <span style={style} title={String(raw).slice(0, 1_500)}>
      {text}
    </span>
  );
};

export default TextCell;
