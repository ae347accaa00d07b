import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { ApiScope } from './enums.js';
import type { User } from './user.js';

/** A credential for the REST API. Only a hash of the secret is stored; the prefix identifies it. */
export class ApiKey extends Model<InferAttributes<ApiKey>, InferCreationAttributes<ApiKey>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<User['id']>;
  declare name: string;
  declare prefix: string;
  declare secretHash: string;
  declare scopes: ApiScope[];
  declare rateLimit: number | null;
  declare expiresAt: Date | null;
  declare revokedAt: Date | null;
  declare lastUsedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    ApiKey.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.TEXT, allowNull: false },
        prefix: { type: DataTypes.TEXT, allowNull: false, unique: true },
        secretHash: { type: DataTypes.TEXT, allowNull: false },
        scopes: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
        rateLimit: { type: DataTypes.INTEGER, allowNull: true },
        expiresAt: { type: DataTypes.DATE, allowNull: true },
        revokedAt: { type: DataTypes.DATE, allowNull: true },
        lastUsedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      {
        sequelize,
        tableName: 'api_keys',
        modelName: 'ApiKey',
        defaultScope: { attributes: { exclude: ['secretHash'] } },
        scopes: { withSecret: { attributes: { include: ['secretHash'] } } },
      },
    );
  }
}

export const apiKeyAuditedFields = [
  'id',
  'ownerId',
  'name',
  'prefix',
  'scopes',
  'rateLimit',
  'expiresAt',
  'revokedAt',
] as const;
