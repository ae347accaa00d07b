import type React from 'react';

/** A native <select> drawn like the design system's inputs (it has no dropdown of its own for forms). */
export const SELECT_STYLE: React.CSSProperties = {
  width: '100%',
  padding: '8px',
  border: '1px solid #C0C0CA',
  borderRadius: 4,
  background: 'white',
};
