import { Op } from 'sequelize';
import { Dataset, MlModel, ModelAlias, ModelVersion } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { NotFound } from '../errors/domain-error.js';
import { recentJobs, type HubJob } from '../jobs/recent-jobs.js';
import { emailsOf } from '../users/emails-of.js';
import { labelOf, personLabels } from '../users/person-labels.js';
import { aliasHistory, type AliasMove } from './alias-history.js';

/** How many versions, alias moves and jobs a model page lists; the rest are one click away. */
const VERSIONS_SHOWN = 20;
const MOVES_SHOWN = 5;
const JOBS_SHOWN = 10;

export interface HubVersion {
  id: number;
  version: number;
  trainer: string;
  createdAt: string;
  /** Who trained or uploaded it: an email, "another user" for a role that may not read users, or "system". */
  createdBy: string;
  accuracy: number | null;
  macroF1: number | null;
  aliases: string[];
  /** What it was trained on: the dataset, the row filter and count from its training snapshot. */
  trainedOn: { datasetId: number | null; dataset: string | null; filter: Record<string, unknown>; rows: number } | null;
  parentVersion: number | null;
}

export interface HubAlias {
  id: number;
  alias: string;
  versionId: number;
  version: number;
  updatedBy: string | null;
  updatedAt: string;
  /** The latest moves, newest first; null when the role may not read alias history. */
  moves: Array<Omit<AliasMove, 'at'> & { at: string }> | null;
}

export interface ModelHub {
  modelId: number;
  name: string;
  dataset: { id: number; name: string } | null;
  createdBy: string;
  /** Newest first, at most VERSIONS_SHOWN; null when the role may not list versions. */
  versions: HubVersion[] | null;
  versionCount: number;
  aliases: HubAlias[] | null;
  /** Training and scoring jobs of this model, newest first; null when the role may list no jobs. */
  jobs: HubJob[] | null;
  /** 'own': only the viewer's jobs (their role sees only their own). */
  jobsScope: 'all' | 'own';
  /** Which per-row actions the page offers the viewer (the server checks again when one is used). */
  may: { promote: boolean; rollback: boolean; aliasHistory: boolean; showVersion: boolean; showJob: boolean };
}

/**
 * A model's page: its versions with metrics, aliases and lineage, its aliases with their latest
 * moves, its recent jobs. Each section is asked of the rule table for the viewer; a section the role
 * may not see is null and costs no query. Every read is bounded (LIMIT, indexed keys), so a model
 * with many versions or a busy job table stays a few milliseconds.
 */
export async function modelHub(actor: Actor, modelId: number): Promise<ModelHub> {
  const model = await MlModel.findByPk(modelId, {
    include: [{ model: Dataset, as: 'dataset', attributes: ['id', 'name'] }],
  });
  if (!model) throw new NotFound('model.not_found', `Model ${modelId} no longer exists; go back to the models list.`);
  const dataset = (model as MlModel & { dataset?: Dataset | null }).dataset ?? null;
  const mayListVersions = decide(actor, 'modelVersions', 'list') === true;
  const mayListAliases = decide(actor, 'modelAliases', 'list') === true;
  const [versions, versionCount, aliases, jobs] = await Promise.all([
    mayListVersions ? versionsOf(model.id) : null,
    mayListVersions ? ModelVersion.count({ where: { modelId: model.id } }) : 0,
    mayListAliases || mayListVersions
      ? ModelAlias.findAll({ where: { modelId: model.id }, order: [['alias', 'ASC']] })
      : [],
    recentJobs(actor, { model: model.name }, JOBS_SHOWN),
  ]);
  const datasetNames = await datasetNamesOf(versions ?? []);
  const aliasVersions = await versionNumbersOf(aliases.map((a) => a.versionId));
  const mayReadHistory = decide(actor, 'modelAliases', 'history') === true;
  // Who moved an alias is in its history, which the role may read: the email, as there.
  const movers = mayReadHistory ? await emailsOf(aliases.map((a) => a.updatedById)) : new Map<number, string>();
  const people = await personLabels(actor, [
    model.createdById,
    ...(versions ?? []).map((v) => v.createdById),
    ...aliases.map((a) => a.updatedById),
  ]);
  return {
    modelId: model.id,
    name: model.name,
    dataset: dataset ? { id: dataset.id, name: dataset.name } : null,
    createdBy: labelOf(people, model.createdById),
    versions:
      versions?.map((v) => ({
        id: v.id,
        version: v.version,
        trainer: v.trainer,
        createdAt: v.createdAt.toISOString(),
        createdBy: labelOf(people, v.createdById),
        accuracy: metric(v.metrics, 'accuracy'),
        macroF1: metric(v.metrics, 'macroF1'),
        aliases: aliases
          .filter((a) => a.versionId === v.id)
          .map((a) => a.alias)
          .sort(),
        trainedOn: trainedOn(v, datasetNames),
        parentVersion: (v as ModelVersion & { parentVersion?: ModelVersion | null }).parentVersion?.version ?? null,
      })) ?? null,
    versionCount,
    aliases: mayListAliases
      ? await Promise.all(
          aliases.map(async (a) => ({
            id: a.id,
            alias: a.alias,
            versionId: a.versionId,
            version: aliasVersions.get(a.versionId) ?? 0,
            updatedBy: a.updatedById == null ? null : (movers.get(a.updatedById) ?? labelOf(people, a.updatedById)),
            updatedAt: a.updatedAt.toISOString(),
            moves: mayReadHistory
              ? (await aliasHistory(model.id, a.alias, MOVES_SHOWN)).map((m) => ({ ...m, at: m.at.toISOString() }))
              : null,
          })),
        )
      : null,
    jobs: jobs?.jobs ?? null,
    jobsScope: jobs?.scope ?? 'all',
    may: {
      promote: decide(actor, 'modelVersions', 'promote') === true,
      rollback: decide(actor, 'modelAliases', 'rollback') === true,
      aliasHistory: mayReadHistory,
      showVersion: decide(actor, 'modelVersions', 'show') === true,
      // Row-scoped (own jobs only): every job listed here is one of the viewer's, so it opens.
      showJob: decide(actor, 'jobs', 'show') !== false,
    },
  };
}

async function versionsOf(modelId: number): Promise<ModelVersion[]> {
  // model_versions (model_id, version) is unique: this walks its index backwards.
  return ModelVersion.findAll({
    where: { modelId },
    order: [['version', 'DESC']],
    limit: VERSIONS_SHOWN,
    include: [{ model: ModelVersion, as: 'parentVersion', attributes: ['version'] }],
  });
}

function metric(metrics: Record<string, unknown>, name: string): number | null {
  const value = metrics[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function snapshotDatasetId(v: ModelVersion): number | null {
  const id = Number(v.trainingSnapshot?.filter?.datasetId);
  return Number.isInteger(id) && id > 0 ? id : null;
}

async function datasetNamesOf(versions: ModelVersion[]): Promise<Map<number, string>> {
  const ids = [...new Set(versions.map(snapshotDatasetId).filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await Dataset.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['id', 'name'] });
  return new Map(rows.map((d) => [d.id, d.name]));
}

function trainedOn(v: ModelVersion, names: Map<number, string>): HubVersion['trainedOn'] {
  if (!v.trainingSnapshot) return null;
  const datasetId = snapshotDatasetId(v);
  return {
    datasetId,
    dataset: datasetId === null ? null : (names.get(datasetId) ?? null),
    filter: v.trainingSnapshot.filter ?? {},
    rows: v.trainingSnapshot.rowCount,
  };
}

async function versionNumbersOf(ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await ModelVersion.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['id', 'version'] });
  return new Map(rows.map((v) => [v.id, v.version]));
}
