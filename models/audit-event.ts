import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { ActorType, AuditOutcome } from './enums.js';

/**
 * One entry of the tamper-evident audit log. Rows are only ever inserted (by src/audit); the
 * database refuses UPDATE, DELETE and TRUNCATE, and each row's hash covers the previous one's.
 */
export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare seq: number;
  declare at: Date;
  declare actorType: ActorType;
  declare actorId: string | null;
  declare actorLabel: string;
  declare actorRole: string | null;
  declare action: string;
  declare resource: string;
  declare recordIds: CreationOptional<string[]>;
  declare selection: Record<string, unknown> | null;
  declare before: unknown;
  declare after: unknown;
  declare ip: string | null;
  declare userAgent: string | null;
  declare requestId: string | null;
  declare outcome: AuditOutcome;
  declare reason: string | null;
  declare prevHash: string;
  declare hash: string;
  /** The change-set the event recorded: {id, records, fields, digest} (null for events without one). */
  declare changeSet: CreationOptional<{ id: number; records: number; fields: string[]; digest: string } | null>;

  static initModel(sequelize: Sequelize): void {
    AuditEvent.init(
      {
        seq: { type: DataTypes.BIGINT, primaryKey: true },
        at: { type: DataTypes.DATE, allowNull: false },
        actorType: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [ActorType.options] } },
        actorId: { type: DataTypes.TEXT, allowNull: true },
        actorLabel: { type: DataTypes.TEXT, allowNull: false },
        actorRole: { type: DataTypes.TEXT, allowNull: true },
        action: { type: DataTypes.TEXT, allowNull: false },
        resource: { type: DataTypes.TEXT, allowNull: false },
        recordIds: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
        selection: { type: DataTypes.JSONB, allowNull: true },
        before: { type: DataTypes.JSONB, allowNull: true },
        after: { type: DataTypes.JSONB, allowNull: true },
        ip: { type: DataTypes.INET, allowNull: true },
        userAgent: { type: DataTypes.TEXT, allowNull: true },
        requestId: { type: DataTypes.TEXT, allowNull: true },
        outcome: { type: DataTypes.ENUM(...AuditOutcome.options), allowNull: false },
        reason: { type: DataTypes.TEXT, allowNull: true },
        prevHash: { type: DataTypes.CHAR(64), allowNull: false },
        hash: { type: DataTypes.CHAR(64), allowNull: false },
        changeSet: { type: DataTypes.JSONB, allowNull: true, field: 'change_set' },
      },
      { sequelize, tableName: 'audit_events', modelName: 'AuditEvent', timestamps: false },
    );
  }
}
