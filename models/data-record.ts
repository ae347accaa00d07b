import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { RecordSplit } from './enums.js';
import type { Dataset } from './dataset.js';

/**
 * One example in a dataset: its input (text or features) and the human label. Its latest prediction
 * lives in `RecordPrediction` (association `prediction`). Named `DataRecord` so as not to shadow
 * TypeScript's `Record`; the table and the resource id stay `records`. Deletes are soft.
 */
export class DataRecord extends Model<InferAttributes<DataRecord>, InferCreationAttributes<DataRecord>> {
  declare id: CreationOptional<number>;
  declare datasetId: ForeignKey<Dataset['id']>;
  declare text: string | null;
  declare features: Record<string, number | string | null> | null;
  declare label: string | null;
  declare split: CreationOptional<RecordSplit>;
  declare tags: CreationOptional<string[]>;
  declare source: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare deletedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    DataRecord.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        text: { type: DataTypes.TEXT, allowNull: true },
        features: { type: DataTypes.JSONB, allowNull: true },
        label: { type: DataTypes.TEXT, allowNull: true },
        split: { type: DataTypes.ENUM(...RecordSplit.options), allowNull: false, defaultValue: 'train' },
        tags: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
        source: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
        deletedAt: { type: DataTypes.DATE, allowNull: true },
      },
      { sequelize, tableName: 'records', modelName: 'DataRecord', paranoid: true },
    );
  }
}

export const recordAuditedFields = [
  'id',
  'datasetId',
  'text',
  'features',
  'label',
  'split',
  'tags',
  'source',
  'deletedAt',
] as const;
