import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { MlModel } from './ml-model.js';
import type { User } from './user.js';

/** What data a version was trained on: enough to reproduce or question it later. */
export interface TrainingSnapshot {
  filter: Record<string, unknown>;
  rowCount: number;
  contentHash: string;
}

/**
 * One trained artefact of a model: the ONNX bytes and everything needed to trust them. Immutable:
 * a database trigger refuses UPDATE and DELETE, so "what served production on date X" stays answerable.
 */
export class ModelVersion extends Model<InferAttributes<ModelVersion>, InferCreationAttributes<ModelVersion>> {
  declare id: CreationOptional<number>;
  declare modelId: ForeignKey<MlModel['id']>;
  declare version: number;
  declare onnx: Buffer;
  declare sha256: string;
  declare sizeBytes: number;
  declare inputSchema: Record<string, unknown>;
  declare outputSchema: Record<string, unknown>;
  declare trainer: string;
  declare hyperparameters: CreationOptional<Record<string, unknown>>;
  declare trainingSnapshot: TrainingSnapshot | null;
  declare metrics: CreationOptional<Record<string, unknown>>;
  declare createdById: ForeignKey<User['id']> | null;
  declare parentVersionId: ForeignKey<ModelVersion['id']> | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ModelVersion.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        version: { type: DataTypes.INTEGER, allowNull: false },
        onnx: { type: DataTypes.BLOB, allowNull: false },
        sha256: { type: DataTypes.CHAR(64), allowNull: false },
        sizeBytes: { type: DataTypes.INTEGER, allowNull: false },
        inputSchema: { type: DataTypes.JSONB, allowNull: false },
        outputSchema: { type: DataTypes.JSONB, allowNull: false },
        trainer: { type: DataTypes.TEXT, allowNull: false },
        hyperparameters: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        trainingSnapshot: { type: DataTypes.JSONB, allowNull: true },
        metrics: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        createdAt: DataTypes.DATE,
      },
      {
        sequelize,
        tableName: 'model_versions',
        modelName: 'ModelVersion',
        updatedAt: false,
        // The ONNX bytes can be megabytes: load them only when asked for by name.
        defaultScope: { attributes: { exclude: ['onnx'] } },
      },
    );
  }
}

export const modelVersionAuditedFields = [
  'id',
  'modelId',
  'version',
  'sha256',
  'sizeBytes',
  'trainer',
  'hyperparameters',
  'trainingSnapshot',
  'parentVersionId',
] as const;
