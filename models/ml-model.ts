import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { DatasetTask } from './enums.js';
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
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    MlModel.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.TEXT, allowNull: false, unique: true },
        description: { type: DataTypes.TEXT, allowNull: true },
        task: { type: DataTypes.ENUM(...DatasetTask.options), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'models', modelName: 'MlModel' },
    );
  }
}

export const modelAuditedFields = ['id', 'name', 'description', 'datasetId', 'task'] as const;
