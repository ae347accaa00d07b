import { QueryTypes } from 'sequelize';
import { Dataset, MlModel, ModelAlias, ModelVersion, sequelizeOf } from '../../../models/index.js';
import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { refusalMessage } from '../../access/refusal-message.js';
import { recordRefusal } from '../../audit/record-refusal.js';
import { chartCache } from '../../charts/chart-cache.js';
import { Forbidden, NotFound } from '../../errors/domain-error.js';
import { versionVocabulary } from '../../ml/text/version-vocabulary.js';
import { findModelByName } from '../../registry/resolve-version.js';
import { driftFindings, type DriftFindings } from './drift-flags.js';
import { DEFAULT_SAMPLE_CAP, driftAggregates, type DriftAggregates, type ReferenceFilter } from './drift-statistics.js';
import { storedThresholds, thresholdsOf, type DriftThresholds } from './drift-thresholds.js';

export interface DriftReport extends DriftFindings {
  model: { id: number; name: string; datasetId: number };
  version: { id: number; version: number; aliases: string[] };
  thresholds: DriftThresholds;
  reference: {
    what: string;
    filter: ReferenceFilter;
    /** Snapshot filters the reference cannot apply (named, so the report says so). */
    ignoredFilters: string[];
    records: number;
    used: number;
  };
  live: { records: number; predictSamples: number; usedRecords: number; usedSamples: number };
  sampleCap: number;
  sampled: boolean;
  computedAt: string;
  cached: boolean;
}

/** `version`: its number; default the version `production` points at, else the newest. */
export async function driftReport(
  actor: Actor,
  choice: { model: string | number; version?: number; sampleCap?: number },
): Promise<DriftReport> {
  if (decide(actor, 'models', 'drift') !== true) {
    const error = new Forbidden('drift.forbidden', refusalMessage(actor, 'models', 'drift'));
    await recordRefusal(actor, { action: 'models.drift', resource: 'models' }, error);
    throw error;
  }
  const model = await modelOf(choice.model);
  const version = await versionOf(model, choice.version);
  const aliases = (await ModelAlias.findAll({ where: { versionId: version.id }, attributes: ['alias'] })).map(
    (a) => a.alias,
  );
  const dataset = (await Dataset.findByPk(model.datasetId))!;
  const { reference, ignored } = referenceFilter(version.trainingSnapshot?.filter ?? {});
  const sampleCap = choice.sampleCap ?? DEFAULT_SAMPLE_CAP;
  const text = dataset.task === 'text-classification';
  const aggregates = await chartCache.get(
    `drift:${version.id}:${sampleCap}`,
    ['records', 'record_predictions', 'model_versions'],
    async () =>
      driftAggregates({
        datasetId: dataset.id,
        versionId: version.id,
        schema: dataset.featureSchema,
        text,
        vocabulary: text ? ((await versionVocabulary(version.id))?.words ?? null) : null,
        reference,
        sampleCap,
      }),
  );
  const thresholds = thresholdsOf(await storedThresholds(model.id));
  const findings = driftFindings(aggregates.value, thresholds);
  const a: DriftAggregates = aggregates.value;
  const report: DriftReport = {
    model: { id: model.id, name: model.name, datasetId: dataset.id },
    version: { id: version.id, version: version.version, aliases },
    thresholds,
    reference: {
      what: `the training rows of version ${version.version} (train split, labelled${reference.editedSince ? `, edited since ${reference.editedSince}` : ''}${reference.tag ? `, tag ${reference.tag}` : ''}) as they were at its first drift report`,
      filter: reference,
      ignoredFilters: ignored,
      records: a.totals.reference,
      used: a.used.reference,
    },
    live: {
      records: a.totals.liveRecords,
      predictSamples: a.totals.predictSamples,
      usedRecords: a.used.liveRecords,
      usedSamples: a.used.predictSamples,
    },
    sampleCap,
    sampled:
      a.used.reference < a.totals.reference ||
      a.used.liveRecords < a.totals.liveRecords ||
      a.used.predictSamples < a.totals.predictSamples,
    ...findings,
    computedAt: aggregates.computedAt,
    cached: aggregates.cached,
  };
  if (!aggregates.cached) await storeReport(report);
  return report;
}

async function modelOf(key: string | number): Promise<MlModel> {
  if (typeof key === 'string') return findModelByName(key);
  const model = await MlModel.findByPk(key);
  if (!model) throw new NotFound('model.not_found', `There is no model #${key}: it may have been deleted.`);
  return model;
}

async function versionOf(model: MlModel, number: number | undefined): Promise<ModelVersion> {
  if (number !== undefined) {
    const version = await ModelVersion.findOne({ where: { modelId: model.id, version: number } });
    if (!version)
      throw new NotFound(
        'version.not_found',
        `Model "${model.name}" has no version ${number}; its versions are listed on the model's page.`,
      );
    return version;
  }
  const production = await ModelAlias.findOne({ where: { modelId: model.id, alias: 'production' } });
  const version = production
    ? await ModelVersion.findByPk(production.versionId)
    : await ModelVersion.findOne({ where: { modelId: model.id }, order: [['version', 'DESC']] });
  if (!version)
    throw new NotFound(
      'drift.no_version',
      `Model "${model.name}" has no version yet: train or upload one, score records with it, then look at drift.`,
    );
  return version;
}

/** The snapshot filter of train-model.ts as the reference's WHERE; other keys are named as ignored. */
function referenceFilter(filter: Record<string, unknown>): { reference: ReferenceFilter; ignored: string[] } {
  const known = new Set(['datasetId', 'split', 'labelled', 'editedSince', 'tag']);
  return {
    reference: {
      ...(typeof filter.editedSince === 'string' ? { editedSince: filter.editedSince } : {}),
      ...(typeof filter.tag === 'string' ? { tag: filter.tag } : {}),
    },
    ignored: Object.keys(filter).filter((k) => !known.has(k)),
  };
}

/** The dashboard's tile reads the last report of each version (derived data: overwritten, not audited). */
async function storeReport(report: DriftReport): Promise<void> {
  await sequelizeOf().query(
    `INSERT INTO drift_reports (model_version_id, model_id, computed_at, drifted, live_records, report)
     VALUES (:versionId, :modelId, :computedAt, :drifted, :live, :report)
     ON CONFLICT (model_version_id) DO UPDATE SET computed_at = EXCLUDED.computed_at, drifted = EXCLUDED.drifted,
       live_records = EXCLUDED.live_records, report = EXCLUDED.report`,
    {
      type: QueryTypes.INSERT,
      replacements: {
        versionId: report.version.id,
        modelId: report.model.id,
        computedAt: report.computedAt,
        drifted: report.drifted,
        live: report.live.records + report.live.predictSamples,
        report: JSON.stringify({ ...report, cached: undefined }),
      },
    },
  );
}
