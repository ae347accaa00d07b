import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { DatasetTask, type FeatureSpec } from './enums.js';

/** A named collection of records for one task, with its label set and (tabular) feature schema. */
export class Dataset extends Model<InferAttributes<Dataset>, InferCreationAttributes<Dataset>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare description: string | null;
  declare task: DatasetTask;
  declare labels: CreationOptional<string[]>;
  declare featureSchema: CreationOptional<FeatureSpec[]>;
  declare source: string | null;
  declare license: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Dataset.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.TEXT, allowNull: false, unique: true },
        description: { type: DataTypes.TEXT, allowNull: true },
        task: { type: DataTypes.ENUM(...DatasetTask.options), allowNull: false },
        labels: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
        featureSchema: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
        source: { type: DataTypes.TEXT, allowNull: true },
        license: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'datasets', modelName: 'Dataset' },
    );
  }
}

export const datasetAuditedFields = [
  'id',
  'name',
  'description',
  'task',
  'labels',
  'featureSchema',
  'source',
  'license',
] as const;
