import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { JobKind, JobStatus } from './enums.js';
import type { User } from './user.js';

/** Background work (training, scoring, import, export) with progress and a resumable checkpoint. */
export class Job extends Model<InferAttributes<Job>, InferCreationAttributes<Job>> {
  declare id: CreationOptional<number>;
  declare kind: JobKind;
  declare params: CreationOptional<Record<string, unknown>>;
  declare status: CreationOptional<JobStatus>;
  declare progressDone: CreationOptional<number>;
  declare progressTotal: number | null;
  declare checkpoint: Record<string, unknown> | null;
  declare result: Record<string, unknown> | null;
  declare error: string | null;
  declare attempts: CreationOptional<number>;
  declare maxAttempts: CreationOptional<number>;
  declare runAfter: CreationOptional<Date>;
  declare lockedBy: string | null;
  declare heartbeatAt: Date | null;
  declare cancelRequested: CreationOptional<boolean>;
  declare queueJobId: CreationOptional<string | null>;
  /** What the job is doing now, in words (e.g. "training"), shown beside the progress bar. */
  declare phase: CreationOptional<string | null>;
  declare createdById: ForeignKey<User['id']> | null;
  declare createdAt: CreationOptional<Date>;
  declare startedAt: Date | null;
  declare finishedAt: Date | null;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Job.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        kind: { type: DataTypes.ENUM(...JobKind.options), allowNull: false },
        params: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
        status: { type: DataTypes.ENUM(...JobStatus.options), allowNull: false, defaultValue: 'queued' },
        progressDone: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        progressTotal: { type: DataTypes.BIGINT, allowNull: true },
        checkpoint: { type: DataTypes.JSONB, allowNull: true },
        result: { type: DataTypes.JSONB, allowNull: true },
        error: { type: DataTypes.TEXT, allowNull: true },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        maxAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 3 },
        runAfter: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        lockedBy: { type: DataTypes.TEXT, allowNull: true },
        heartbeatAt: { type: DataTypes.DATE, allowNull: true },
        cancelRequested: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        queueJobId: { type: DataTypes.UUID, allowNull: true },
        phase: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        startedAt: { type: DataTypes.DATE, allowNull: true },
        finishedAt: { type: DataTypes.DATE, allowNull: true },
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'jobs', modelName: 'Job' },
    );
  }
}
