import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { ReviewQueueStatus, ReviewStrategy } from './enums.js';
import type { Dataset } from './dataset.js';
import type { ModelVersion } from './model-version.js';
import type { User } from './user.js';

/**
 * A list of records to review, chosen once by a strategy over one model version's predictions
 * (migration 20261208000100). Its items (`review_items`) are read and written with SQL by
 * src/review/ (claims, labels); this model serves the console's list and show pages and the API.
 */
export class ReviewQueue extends Model<InferAttributes<ReviewQueue>, InferCreationAttributes<ReviewQueue>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare datasetId: ForeignKey<Dataset['id']>;
  declare modelVersionId: ForeignKey<ModelVersion['id']>;
  declare strategy: ReviewStrategy;
  declare compareVersionId: ForeignKey<ModelVersion['id']> | null;
  declare filter: CreationOptional<Record<string, unknown>>;
  declare secondReview: CreationOptional<boolean>;
  declare size: CreationOptional<number>;
  declare status: CreationOptional<ReviewQueueStatus>;
  declare jobId: number | null;
  declare createdById: ForeignKey<User['id']> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ReviewQueue.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.TEXT, allowNull: false },
        strategy: { type: DataTypes.ENUM(...ReviewStrategy.options), allowNull: false },
        filter: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        secondReview: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        size: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        status: { type: DataTypes.ENUM(...ReviewQueueStatus.options), allowNull: false, defaultValue: 'building' },
        jobId: { type: DataTypes.BIGINT, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      {
        sequelize,
        tableName: 'review_queues',
        modelName: 'ReviewQueue',
      },
    );
  }
}

export const reviewQueueAuditedFields = [
  'id',
  'name',
  'datasetId',
  'modelVersionId',
  'strategy',
  'compareVersionId',
  'filter',
  'secondReview',
  'size',
  'status',
] as const;
