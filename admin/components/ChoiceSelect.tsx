import React from 'react';
import { SELECT_STYLE } from './select-style.js';

/**
 * A dropdown of plain choices (a dataset's labels, the splits) with a first "leave it / any" entry.
 * A current value that is not among the choices stays selectable, named by `stray`, so a form never
 * silently changes what it was given.
 */
const ChoiceSelect: React.FC<{
  id: string;
  name?: string;
  value: string;
  choices: readonly string[];
  blank: string;
  stray?: (value: string) => string;
  onChange: (value: string) => void;
}> = ({ id, name, value, choices, blank, stray, onChange }) => (
  <select id={id} name={name} style={SELECT_STYLE} value={value} onChange={(e) => onChange(e.target.value)}>
    <option value="">{blank}</option>
    {choices.map((choice) => (
      <option key={choice} value={choice}>
        {choice}
      </option>
    ))}
    {stray && value && !choices.includes(value) ? <option value={value}>{stray(value)}</option> : null}
  </select>
);

export default ChoiceSelect;
