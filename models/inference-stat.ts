import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { ModelVersion } from './model-version.js';

/** Per-minute inference counters for one model version, for monitoring and charts. */
export class InferenceStat extends Model<InferAttributes<InferenceStat>, InferCreationAttributes<InferenceStat>> {
  declare bucket: Date;
  declare modelVersionId: ForeignKey<ModelVersion['id']>;
  declare count: CreationOptional<number>;
  declare errors: CreationOptional<number>;
  declare latencySumMs: CreationOptional<number>;
  declare latencyBuckets: CreationOptional<number[]>;

  static initModel(sequelize: Sequelize): void {
    InferenceStat.init(
      {
        bucket: { type: DataTypes.DATE, primaryKey: true },
        modelVersionId: { type: DataTypes.INTEGER, primaryKey: true },
        count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        errors: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        latencySumMs: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
        latencyBuckets: { type: DataTypes.ARRAY(DataTypes.INTEGER), allowNull: false, defaultValue: [] },
      },
      { sequelize, tableName: 'inference_stats', modelName: 'InferenceStat', timestamps: false },
    );
  }
}
