import React from 'react';
import type { ShowPropertyProps } from 'adminjs';
import JsonValue from './JsonValue.js';
import { changeSetIdOf } from './change-set-of.js';

/**
 * An audit event's raw before/after JSON, left out when the event recorded a change-set: its
 * "Changes" table shows every record's values, where the raw JSON of a large edit was a wall of nulls.
 */
const AuditValue: React.FC<ShowPropertyProps> = (props) =>
  changeSetIdOf(props.record) === null ? <JsonValue {...props} /> : null;

export default AuditValue;
