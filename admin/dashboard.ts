import type { ActionContext, PageHandler } from 'adminjs';
import { sequelizeOf } from '../models/index.js';
import { decide } from '../src/access/decide.js';
import { ROLE_TITLES } from '../src/access/roles.js';
import type { ResourceId } from '../src/access/rules.js';
import { countRows } from '../src/db/estimate-count.js';
import { actorOf } from './current-admin.js';
import type { Actor } from '../src/access/actor.js';
import { inferenceSeries, jobOutcomes, requestSeries } from '../src/monitoring/dashboard-series.js';

const TILES: ReadonlyArray<{ resourceId: ResourceId; table: string; label: string; group: string; help: string; softDeleted?: boolean }> = [
  { resourceId: 'datasets', table: 'datasets', label: 'Datasets', group: 'Data', help: 'Named collections of records for one task.' },
  { resourceId: 'records', table: 'records', label: 'Records', group: 'Data', help: 'Examples with human labels and model predictions.', softDeleted: true },
  { resourceId: 'models', table: 'models', label: 'Models', group: 'Models', help: 'Registered models; each has immutable versions.' },
  { resourceId: 'modelVersions', table: 'model_versions', label: 'Model versions', group: 'Models', help: 'Trained ONNX artefacts with metrics and lineage.' },
  { resourceId: 'jobs', table: 'jobs', label: 'Jobs', group: 'Operations', help: 'Background training, scoring, import and export.' },
  { resourceId: 'auditEvents', table: 'audit_events', label: 'Audit events', group: 'Audit', help: 'Every action, hash-chained and append-only.' },
  { resourceId: 'users', table: 'users', label: 'Users', group: 'Access', help: 'People who sign in, one role each.' },
];

/**
 * Tiles only for what the role may list in full: the dashboard shows no door the role cannot open,
 * and a row-scoped list (e.g. a content manager's own jobs) is left out so its table's size stays private.
 */
export const dashboardHandler: PageHandler = async (_request, _response, context) => {
  const actor = actorOf((context as ActionContext | undefined)?.currentAdmin);
  const role = actor.type === 'user' ? actor.role : undefined;
  const sequelize = sequelizeOf();
  const visible = TILES.filter((tile) => decide(actor, tile.resourceId, 'list') === true);
  const tiles = await Promise.all(
    visible.map(async ({ table, softDeleted, ...tile }) => ({
      ...tile,
      ...(await countRows(sequelize, table, { softDeleted })),
      href: `/admin/resources/${tile.resourceId}`,
    })),
  );
  return { roleTitle: role ? ROLE_TITLES[role] : 'Guest', tiles, charts: await chartsFor(actor) };
};

/**
 * Operations charts for the staff who watch the models (the inference-stats rule: admins, data
 * scientists, auditors): traffic and server errors, predictions and latency per model version, and job
 * outcomes (a data scientist sees their own jobs, as in the Jobs list).
 */
async function chartsFor(actor: Actor) {
  if (decide(actor, 'inferenceStats', 'list') !== true) return null;
  const sequelize = sequelizeOf();
  const jobsRule = decide(actor, 'jobs', 'list');
  const [requests, inference, jobs] = await Promise.all([
    requestSeries(sequelize),
    inferenceSeries(sequelize),
    jobsRule === false ? Promise.resolve(null) : jobOutcomes(sequelize, 14, jobsRule === true ? undefined : Number((jobsRule as { createdById?: unknown }).createdById)),
  ]);
  return { requests, inference, jobs, jobsScope: jobsRule === true ? 'all' : 'own' };
}
