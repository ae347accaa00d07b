import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/**
 * The latest prediction for one record: the label a model version predicted, the probability it gave
 * that label, the probabilities of every label (in the version's label order), and the exact version
 * and job that made it. Kept beside `records` (not in it) so scoring writes narrow rows and never
 * touches what people edit; written only by scoring jobs (src/scoring/).
 */
export class RecordPrediction extends Model<
  InferAttributes<RecordPrediction>,
  InferCreationAttributes<RecordPrediction>
> {
  declare recordId: number;
  declare modelVersionId: number;
  declare predictedLabel: string;
  declare score: number;
  declare probabilities: number[];
  declare jobId: number | null;
  /** Top-1 minus top-2 probability (src/ml/uncertainty.ts); null only for rows written by hand without it. */
  declare margin: CreationOptional<number | null>;
  /** Entropy of the probabilities in nats. */
  declare entropy: CreationOptional<number | null>;
  declare scoredAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    RecordPrediction.init(
      {
        recordId: { type: DataTypes.BIGINT, primaryKey: true },
        modelVersionId: { type: DataTypes.INTEGER, allowNull: false },
        predictedLabel: { type: DataTypes.TEXT, allowNull: false },
        score: { type: DataTypes.REAL, allowNull: false },
        probabilities: { type: DataTypes.ARRAY(DataTypes.REAL), allowNull: false },
        jobId: { type: DataTypes.BIGINT, allowNull: true },
        margin: { type: DataTypes.REAL, allowNull: true },
        entropy: { type: DataTypes.REAL, allowNull: true },
        scoredAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      },
      { sequelize, tableName: 'record_predictions', modelName: 'RecordPrediction', timestamps: false },
    );
  }
}
