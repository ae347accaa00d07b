import { Op } from 'sequelize';
import { Job, MlModel } from '../../models/index.js';
import { systemActor } from '../access/actor.js';
import { logger } from '../platform/logger.js';
import { enqueueJob } from './enqueue-job.js';
import { RETRAIN_QUEUE, queue } from './queue.js';

/**
 * Periodic retraining. Each model's `retrainSchedule` (cron, UTC) is mirrored as a pg-boss schedule
 * keyed by the model id on this queue; pg-boss's cron pass (any running process, once per tick across
 * all of them) sends a tick to RETRAIN_QUEUE, and the worker turns it into an ordinary audited
 * `train` job that asks for auto-promotion. The models table is the truth: `syncRetrainSchedules`
 * makes pg-boss agree.
 */
export interface Tick {
  modelId: number;
}

/** Adds, changes and removes pg-boss schedules so they match the models' schedules. Idempotent. */
export async function syncRetrainSchedules(): Promise<{ scheduled: number; removed: number }> {
  const boss = queue();
  const models = await MlModel.findAll({
    where: { retrainSchedule: { [Op.ne]: null } },
    attributes: ['id', 'name', 'retrainSchedule'],
  });
  const wanted = new Map(models.map((model) => [String(model.id), model.retrainSchedule!]));
  const existing = await boss.getSchedules(RETRAIN_QUEUE);
  let removed = 0;
  for (const schedule of existing) {
    if (!wanted.has(schedule.key)) {
      await boss.unschedule(RETRAIN_QUEUE, schedule.key);
      removed += 1;
    }
  }
  const current = new Map(existing.map((schedule) => [schedule.key, schedule.cron]));
  for (const [key, cron] of wanted) {
    if (current.get(key) !== cron)
      await boss.schedule(RETRAIN_QUEUE, cron, { modelId: Number(key) } satisfies Tick, { key, tz: 'UTC' });
  }
  return { scheduled: wanted.size, removed };
}

/**
 * One tick of a model's schedule: queues a retrain as the system, unless the schedule was removed
 * meanwhile or a retrain of this model is still queued or running (ticks never pile up).
 */
export async function onRetrainTick(tick: Tick): Promise<Job | null> {
  const model = await MlModel.findByPk(tick.modelId);
  if (!model?.retrainSchedule) return null;
  const pending = await Job.count({
    where: { kind: 'train', status: { [Op.in]: ['queued', 'running'] }, params: { model: model.name } },
  });
  if (pending > 0) {
    logger.info({ model: model.name }, 'scheduled retrain skipped: a retrain of this model is still queued or running');
    return null;
  }
  return enqueueJob(systemActor, 'train', { model: model.name, autoPromote: true, scheduled: model.retrainSchedule });
}
