import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { checkRetrainSchedule } from './retrain-schedule.js';
import { DatasetTask, PromotionMetric } from './enums.js';
import type { Dataset } from './dataset.js';
import type { User } from './user.js';

/** A registered model: a name under which immutable versions accumulate. Table and resource `models`. */
export class MlModel extends Model<InferAttributes<MlModel>, InferCreationAttributes<MlModel>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare description: string | null;
  declare datasetId: ForeignKey<Dataset['id']>;
  declare task: DatasetTask;
  declare createdById: ForeignKey<User['id']> | null;
  /** Cron expression (UTC) for periodic retraining; null: only on demand. */
  declare retrainSchedule: string | null;
  /** When set, a scheduled retrain promotes its version to production if it beats it on this metric. */
  declare autoPromoteMetric: PromotionMetric | null;
  declare autoPromoteMargin: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    MlModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.TEXT, allowNull: false, unique: true },
        description: { type: DataTypes.TEXT, allowNull: true },
        task: { type: DataTypes.ENUM(...DatasetTask.options), allowNull: false },
        retrainSchedule: {
          type: DataTypes.TEXT,
          allowNull: true,
          set(this: MlModel, value: unknown) {
            const text = typeof value === 'string' ? value.trim() : value;
            this.setDataValue('retrainSchedule', text === '' || text === undefined ? null : (text as string | null));
          },
          validate: { isCron: (value: string | null | undefined) => value == null || checkRetrainSchedule(value) },
        },
        autoPromoteMetric: {
          type: DataTypes.TEXT,
          allowNull: true,
          set(this: MlModel, value: unknown) {
            this.setDataValue(
              'autoPromoteMetric',
              value === '' || value === undefined ? null : (value as PromotionMetric | null),
            );
          },
          validate: {
            isIn: {
              args: [PromotionMetric.options],
              msg: `choose one of ${PromotionMetric.options.join(', ')}, or leave empty`,
            },
          },
        },
        autoPromoteMargin: {
          type: DataTypes.DOUBLE,
          allowNull: false,
          defaultValue: 0.005,
          validate: {
            min: { args: [0], msg: 'the margin is 0 to 1 (e.g. 0.005 = half a percentage point)' },
            max: { args: [1], msg: 'the margin is 0 to 1 (e.g. 0.005 = half a percentage point)' },
          },
        },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'models', modelName: 'MlModel' },
    );
  }
}

export const modelAuditedFields = [
  'id',
  'name',
  'description',
  'datasetId',
  'task',
  'retrainSchedule',
  'autoPromoteMetric',
  'autoPromoteMargin',
] as const;
