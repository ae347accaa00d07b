import type { ResourceId } from './rules.js';

/**
 * Actions that services check with `decide()` although no console resource declares them: they are
 * reached from the CLI, the API or a part of a console page (the dashboard's system health panel). The startup check counts them as declared, so a rule for one is
 * not reported as naming no action (MD-E002).
 */
export const SERVICE_ACTIONS: Partial<Record<ResourceId, readonly string[]>> = {
  auditEvents: ['archive'],
  models: ['predict', 'driftSettings'],
  inferenceStats: ['systemHealth'],
};
