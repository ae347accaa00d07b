import type { Rule } from '../rule.js';

/**
 * Content managers and data scientists open the audit events of record changes (their bulk edit's or
 * import's, to see and revert it), not the rest of the log: sign-ins, users, keys are others' business.
 */
export const recordEventsOnly: Rule = () => ({ resource: 'records' });
