import type { ResourceId } from './rules.js';

/**
 * Actions that services check with `decide()` although no console resource declares them (yet): they
 * are reached from the CLI or the API. The startup check counts them as declared, so a rule for one is
 * not reported as naming no action (MD-E002).
 */
export const SERVICE_ACTIONS: Partial<Record<ResourceId, readonly string[]>> = {
  auditEvents: ['archive'],
  models: ['predict'],
};
