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
import type { ModelVersion } from './model-version.js';
import type { User } from './user.js';

/** A movable name (`production`, `staging`, …) pointing at one version of its model. */
export class ModelAlias extends Model<InferAttributes<ModelAlias>, InferCreationAttributes<ModelAlias>> {
  declare id: CreationOptional<number>;
  declare modelId: ForeignKey<MlModel['id']>;
  declare alias: string;
  declare versionId: ForeignKey<ModelVersion['id']>;
  declare updatedById: ForeignKey<User['id']> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ModelAlias.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        alias: { type: DataTypes.TEXT, allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'model_aliases', modelName: 'ModelAlias' },
    );
  }
}

export const modelAliasAuditedFields = ['id', 'modelId', 'alias', 'versionId'] as const;
