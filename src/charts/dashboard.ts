import type { Sequelize } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { driftedModels } from '../monitoring/drift/drifted-models.js';
import { ROLE_TITLES, type Role } from '../access/roles.js';
import type { ResourceId } from '../access/rules.js';
import { countRows } from '../db/estimate-count.js';
import { inferenceSeries, jobOutcomes, requestSeries } from '../monitoring/dashboard-series.js';
import { auditActivity, predictionsPerDay, recentImports } from './activity-charts.js';
import { busiestDataset, choicesOf, chosenId, lastPromotedModel, positiveInteger } from './chart-choices.js';
import { datasetCharts } from './dataset-charts.js';
import { modelCharts } from './model-charts.js';
import { systemHealth } from './system-health.js';

const TILES: ReadonlyArray<{
  resourceId: ResourceId;
  table: string;
  label: string;
  group: string;
  help: string;
  softDeleted?: boolean;
}> = [
  {
    resourceId: 'datasets',
    table: 'datasets',
    label: 'Datasets',
    group: 'Data',
    help: 'Named collections of records for one task.',
  },
  {
    resourceId: 'records',
    table: 'records',
    label: 'Records',
    group: 'Data',
    help: 'Examples with human labels and model predictions.',
    softDeleted: true,
  },
  {
    resourceId: 'models',
    table: 'models',
    label: 'Models',
    group: 'Models',
    help: 'Registered models; each has immutable versions.',
  },
  {
    resourceId: 'modelVersions',
    table: 'model_versions',
    label: 'Model versions',
    group: 'Models',
    help: 'Trained ONNX artefacts with metrics and lineage.',
  },
  {
    resourceId: 'jobs',
    table: 'jobs',
    label: 'Jobs',
    group: 'Operations',
    help: 'Background training, scoring, import and export.',
  },
  {
    resourceId: 'auditEvents',
    table: 'audit_events',
    label: 'Audit events',
    group: 'Audit',
    help: 'Every action, hash-chained and append-only.',
  },
  { resourceId: 'users', table: 'users', label: 'Users', group: 'Access', help: 'People who sign in, one role each.' },
];

/** The dashboard's sections; each has its own rule, and each role sees its own first. */
export type Section = 'health' | 'model' | 'dataset' | 'predictions' | 'operations' | 'imports' | 'audit';

const ORDER: Record<Role, readonly Section[]> = {
  admin: ['health', 'dataset', 'model', 'predictions', 'operations', 'imports', 'audit'],
  data_scientist: ['model', 'dataset', 'predictions', 'operations'],
  content_manager: ['dataset', 'imports'],
  auditor: ['audit', 'model', 'dataset', 'predictions', 'operations'],
};

/** Who may see a section: one rule of the table each (a section shows nothing its rule would hide elsewhere). */
const SECTION_RULE: Record<Section, [ResourceId, string]> = {
  health: ['inferenceStats', 'systemHealth'],
  model: ['models', 'charts'],
  dataset: ['datasets', 'charts'],
  predictions: ['inferenceStats', 'list'],
  operations: ['inferenceStats', 'list'],
  imports: ['datasets', 'importCsv'],
  audit: ['auditEvents', 'list'],
};

export interface DashboardSettings {
  /** JOB_HEARTBEAT_SECONDS: a running job silent for twice this is reported as stalled. */
  heartbeatSeconds: number;
}

/** `?dataset=ID&model=ID&version=N`: what the dataset and model sections show (default: the busiest dataset, the last promoted model). */
export interface DashboardQuery {
  dataset?: unknown;
  model?: unknown;
  version?: unknown;
}

/**
 * The home page, per role: tiles for what the role may list in full, then its charts — a data
 * scientist's model and dataset first, a content manager's records and imports, an auditor's audit
 * activity, an admin's system health and everything else. Every section is checked against the rule
 * table here, on the server.
 */
export async function dashboardOf(actor: Actor, query: DashboardQuery, settings: DashboardSettings) {
  const role = actor.type === 'user' ? actor.role : undefined;
  const sequelize = sequelizeOf();
  const sections = role ? ORDER[role].filter((s) => decide(actor, ...SECTION_RULE[s]) !== false) : [];
  const has = (section: Section) => sections.includes(section);
  const jobsRule = decide(actor, 'jobs', 'list');
  const ownJobsOf = jobsRule === true || jobsRule === false ? undefined : actor.type === 'user' ? actor.id : undefined;

  const [tiles, drift, datasets, models] = await Promise.all([
    tilesFor(actor, sequelize),
    driftedModels(actor, sequelize),
    has('dataset') ? choicesOf(sequelize, 'datasets') : Promise.resolve([]),
    has('model') ? choicesOf(sequelize, 'models') : Promise.resolve([]),
  ]);
  const datasetId = has('dataset')
    ? await chosenId(query.dataset, datasets, () => busiestDataset(sequelize))
    : undefined;
  const modelId = has('model') ? await chosenId(query.model, models, () => lastPromotedModel(sequelize)) : undefined;
  const version = positiveInteger(query.version);

  const [dataset, model, predictions, operations, imports, audit, health] = await Promise.all([
    datasetId === undefined ? null : datasetCharts(sequelize, datasetId),
    modelId === undefined ? null : modelCharts(sequelize, modelId, version),
    has('predictions') ? predictionsPerDay(sequelize) : null,
    has('operations') ? operationsCharts(sequelize, jobsRule === false ? null : ownJobsOf) : null,
    has('imports') ? recentImports(sequelize, ownJobsOf) : null,
    has('audit') ? auditActivity(sequelize) : null,
    has('health') ? systemHealth(sequelize, settings.heartbeatSeconds) : null,
  ]);
  return {
    roleTitle: role ? ROLE_TITLES[role] : 'Guest',
    tiles,
    drift,
    sections,
    datasets,
    models,
    dataset,
    model,
    predictions,
    charts: operations,
    imports,
    importsScope: ownJobsOf === undefined ? 'all' : 'own',
    audit,
    health,
  };
}

/**
 * Tiles only for what the role may list in full: the dashboard shows no door the role cannot open,
 * and a row-scoped list (e.g. a content manager's own jobs) is left out so its table's size stays private.
 */
async function tilesFor(actor: Actor, sequelize: Sequelize) {
  const visible = TILES.filter((tile) => decide(actor, tile.resourceId, 'list') === true);
  return Promise.all(
    visible.map(async ({ table, softDeleted, ...tile }) => ({
      ...tile,
      ...(await countRows(sequelize, table, { softDeleted })),
    })),
  );
}

/**
 * Traffic and server errors, predictions and latency per model version, and job outcomes (`ownJobsOf`:
 * only that user's jobs, as in their Jobs list; null: no job outcomes).
 */
async function operationsCharts(sequelize: Sequelize, ownJobsOf: number | undefined | null) {
  const [requests, inference, jobs] = await Promise.all([
    requestSeries(sequelize),
    inferenceSeries(sequelize),
    ownJobsOf === null ? Promise.resolve(null) : jobOutcomes(sequelize, 14, ownJobsOf),
  ]);
  return { requests, inference, jobs, jobsScope: ownJobsOf === undefined ? 'all' : 'own' };
}
