import type { Actor } from '../../access/actor.js';
import { recordFailure } from '../../audit/with-audit.js';
import type { ModelFault } from '../../errors/domain-error.js';
import { logger } from '../../platform/logger.js';

/** At most one audit event (and warning) per model version and web process in this long. */
const COALESCE_MS = 60_000;

const lastReported = new Map<number, { at: number; since: number }>();

/**
 * Leaves a trace of a model version that answered a predict request with something unusable
 * (`model.output_not_finite`): a `failed` audit event `models.predict` (who asked, which version,
 * why) and a warning in the log. A broken model fails every request sent to it, so one caller could
 * otherwise grow the audit log by a row per request: per version, the first failure is recorded at
 * once and later ones at most once a minute, each event counting the failures since the previous one.
 */
export async function reportModelFault(
  actor: Actor,
  served: { modelName: string; version: number; versionId: number },
  fault: ModelFault,
): Promise<void> {
  const now = Date.now();
  const last = lastReported.get(served.versionId);
  if (last && now - last.at < COALESCE_MS) {
    last.since += 1;
    return;
  }
  const failures = (last?.since ?? 0) + 1;
  lastReported.set(served.versionId, { at: now, since: 0 });
  logger.warn(
    { model: served.modelName, version: served.version, code: fault.code, failures },
    'a model version answered a predict request with an unusable output',
  );
  await recordFailure(
    actor,
    {
      action: 'models.predict',
      resource: 'models',
      selection: { model: served.modelName, version: served.version, versionId: served.versionId },
      after: { failedRequests: failures, coalescedForMs: COALESCE_MS },
    },
    fault,
  ).catch((error: unknown) =>
    logger.error(
      { err: error, model: served.modelName, version: served.version },
      'could not record a model fault in the audit log',
    ),
  );
}
