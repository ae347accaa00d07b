import type { Sequelize } from 'sequelize';
import { ApiKey } from './api-key.js';
import { AuditEvent } from './audit-event.js';
import { DataRecord } from './data-record.js';
import { Dataset } from './dataset.js';
import { InferenceStat } from './inference-stat.js';
import { Job } from './job.js';
import { MlModel } from './ml-model.js';
import { ModelAlias } from './model-alias.js';
import { ModelVersion } from './model-version.js';
import { RecordPrediction } from './record-prediction.js';
import { ReviewQueue } from './review-queue.js';
import { User } from './user.js';

export {
  ApiKey,
  AuditEvent,
  DataRecord,
  Dataset,
  InferenceStat,
  Job,
  MlModel,
  ModelAlias,
  ModelVersion,
  RecordPrediction,
  ReviewQueue,
  User,
};

let boundTo: Sequelize | undefined;

/** Binds every model to `sequelize` and wires associations. Call once per process, before use. */
export function initModels(sequelize: Sequelize): void {
  if (boundTo === sequelize) return;
  if (boundTo) throw new Error('Models are already bound to another Sequelize instance in this process.');
  boundTo = sequelize;
  for (const model of [
    User,
    ApiKey,
    Dataset,
    DataRecord,
    MlModel,
    ModelVersion,
    ModelAlias,
    Job,
    AuditEvent,
    InferenceStat,
    RecordPrediction,
    ReviewQueue,
  ]) {
    model.initModel(sequelize);
  }
  const restrict = { onDelete: 'RESTRICT', onUpdate: 'CASCADE' } as const;
  const setNull = { onDelete: 'SET NULL', onUpdate: 'CASCADE' } as const;

  ApiKey.belongsTo(User, { as: 'owner', foreignKey: { name: 'ownerId', allowNull: false }, onDelete: 'CASCADE' });
  User.hasMany(ApiKey, { as: 'apiKeys', foreignKey: 'ownerId' });

  DataRecord.belongsTo(Dataset, { as: 'dataset', foreignKey: { name: 'datasetId', allowNull: false }, ...restrict });
  Dataset.hasMany(DataRecord, { as: 'records', foreignKey: 'datasetId' });
  // No database foreign keys here (one trigger query per scored row); see migration 001500.
  DataRecord.hasOne(RecordPrediction, { as: 'prediction', foreignKey: 'recordId', constraints: false });
  RecordPrediction.belongsTo(DataRecord, { as: 'record', foreignKey: 'recordId', constraints: false });
  RecordPrediction.belongsTo(ModelVersion, { as: 'modelVersion', foreignKey: 'modelVersionId', constraints: false });

  MlModel.belongsTo(Dataset, { as: 'dataset', foreignKey: { name: 'datasetId', allowNull: false }, ...restrict });
  MlModel.belongsTo(User, { as: 'createdBy', foreignKey: 'createdById', ...setNull });
  MlModel.hasMany(ModelVersion, { as: 'versions', foreignKey: 'modelId' });
  MlModel.hasMany(ModelAlias, { as: 'aliases', foreignKey: 'modelId' });

  ModelVersion.belongsTo(MlModel, { as: 'model', foreignKey: { name: 'modelId', allowNull: false }, ...restrict });
  ModelVersion.belongsTo(User, { as: 'createdBy', foreignKey: 'createdById', ...setNull });
  ModelVersion.belongsTo(ModelVersion, { as: 'parentVersion', foreignKey: 'parentVersionId', ...restrict });

  ReviewQueue.belongsTo(Dataset, {
    as: 'dataset',
    foreignKey: { name: 'datasetId', allowNull: false },
    onDelete: 'CASCADE',
  });
  ReviewQueue.belongsTo(ModelVersion, { as: 'modelVersion', foreignKey: { name: 'modelVersionId', allowNull: false } });
  ReviewQueue.belongsTo(ModelVersion, { as: 'compareVersion', foreignKey: 'compareVersionId' });
  ReviewQueue.belongsTo(User, {
    as: 'createdBy',
    foreignKey: { name: 'createdById', field: 'created_by' },
    ...setNull,
  });

  ModelAlias.belongsTo(MlModel, {
    as: 'model',
    foreignKey: { name: 'modelId', allowNull: false },
    onDelete: 'CASCADE',
  });
  ModelAlias.belongsTo(ModelVersion, {
    as: 'version',
    foreignKey: { name: 'versionId', allowNull: false },
    ...restrict,
  });
  ModelAlias.belongsTo(User, { as: 'updatedBy', foreignKey: 'updatedById', ...setNull });

  Job.belongsTo(User, { as: 'createdBy', foreignKey: 'createdById', ...setNull });
  InferenceStat.belongsTo(ModelVersion, {
    as: 'modelVersion',
    foreignKey: { name: 'modelVersionId', allowNull: false },
    ...restrict,
  });
}

/** The Sequelize instance the models are bound to (for transactions and raw queries). */
export function sequelizeOf(): Sequelize {
  if (!boundTo) throw new Error('initModels() has not been called in this process.');
  return boundTo;
}
