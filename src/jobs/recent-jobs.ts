import { Op, type WhereOptions } from 'sequelize';
import { Job, User } from '../../models/index.js';
import type { JobKind, JobStatus } from '../../models/enums.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';

export interface HubJob {
  id: number;
  kind: JobKind;
  status: JobStatus;
  createdAt: string;
  finishedAt: string | null;
  /** Email of who queued it; null for the system (a scheduled retrain). */
  createdBy: string | null;
  progressDone: number;
  progressTotal: number | null;
  error: string | null;
}

/**
 * The latest jobs whose params match `params` (e.g. `{ model: 'spam-filter' }`, `{ datasetId: 3 }`),
 * as the viewer's Jobs list would show them: null when the role may list no jobs, only their own when
 * the rule says so (`scope: 'own'`). Newest first down the primary key, at most `limit`.
 */
export async function recentJobs(
  actor: Actor,
  params: Readonly<Record<string, string | number>>,
  limit: number,
  kinds?: readonly JobKind[],
): Promise<{ jobs: HubJob[]; scope: 'all' | 'own' } | null> {
  const decision = decide(actor, 'jobs', 'list');
  if (decision === false) return null;
  const where: WhereOptions = {
    // A JSONB param is text or a number depending on who queued it; compare as text.
    [Op.and]: Object.entries(params).map(([key, value]) => ({ [`params.${key}`]: String(value) })),
    ...(kinds ? { kind: { [Op.in]: [...kinds] } } : {}),
    ...(decision === true ? {} : decision),
  };
  const jobs = await Job.findAll({
    where,
    attributes: ['id', 'kind', 'status', 'createdAt', 'finishedAt', 'progressDone', 'progressTotal', 'error'],
    include: [{ model: User, as: 'createdBy', attributes: ['email'] }],
    order: [['id', 'DESC']],
    limit,
  });
  return {
    scope: decision === true ? 'all' : 'own',
    jobs: jobs.map((j) => ({
      id: Number(j.id),
      kind: j.kind,
      status: j.status,
      createdAt: j.createdAt.toISOString(),
      finishedAt: j.finishedAt ? j.finishedAt.toISOString() : null,
      createdBy: (j as Job & { createdBy?: User | null }).createdBy?.email ?? null,
      progressDone: Number(j.progressDone),
      progressTotal: j.progressTotal == null ? null : Number(j.progressTotal),
      error: j.error,
    })),
  };
}
