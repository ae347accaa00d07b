import type { ResourceId } from './rules.js';

/**
 * Actions that services check with `decide()` although no console resource declares them: they are
 * reached from the CLI, the API or a part of a console page (the dashboard's system health panel). The startup check counts them as declared, so a rule for one is
 * not reported as naming no action (MD-E002).
 */
export const SERVICE_ACTIONS: Partial<Record<ResourceId, readonly string[]>> = {
  auditEvents: ['archive'],
  // Reached from the audit event, job and record pages' panels and the API, not as actions of their own.
  records: ['history', 'revert', 'restoreVersion'],
  models: ['predict'],
  inferenceStats: ['systemHealth'],
};
