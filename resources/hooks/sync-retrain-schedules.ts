import type { ActionRequest, ActionResponse, RecordJSON } from 'adminjs';
import { syncRetrainSchedules } from '../../src/jobs/retrain-schedules.js';
import { logger } from '../../src/platform/logger.js';

/**
 * After a model is saved or deleted in the console: brings the queue's schedules in line at once.
 * The model row is already committed; if this fails, the next worker start re-syncs (logged).
 */
export async function syncSchedulesAfterSave(
  response: ActionResponse,
  request: ActionRequest,
): Promise<ActionResponse> {
  if (request.method !== 'post') return response;
  const record = response.record as RecordJSON | undefined;
  if (record && Object.keys(record.errors ?? {}).length > 0) return response;
  await syncRetrainSchedules().catch((error: unknown) =>
    logger.error({ err: error }, 'could not sync retraining schedules; the next worker start will'),
  );
  return response;
}
