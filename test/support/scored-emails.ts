import { QueryTypes } from 'sequelize';
import { sequelizeOf } from '../../models/index.js';
import { insertDataset } from '../../seeders/insert-dataset.js';
import { loadSpamAssassin } from '../../seeders/spam-assassin.js';
import { unique } from './database.js';

export interface ScoredEmails {
  datasetId: number;
  datasetName: string;
  modelName: string;
  versionId: number;
  /** Records whose prediction differs from their label (every 5th), all with score 0.45. */
  misclassifiedIds: number[];
  recordIds: number[];
}

/**
 * `count` raw SpamAssassin emails (long headers and bodies, half spam), scored by SQL by one model
 * version: every 5th record predicted wrong with score 0.45, the others right with 0.95.
 */
export async function createScoredEmails(prefix: string, count = 60): Promise<ScoredEmails> {
  const emails = loadSpamAssassin();
  const spam = emails.filter((e) => e.label === 'spam').slice(0, count / 2);
  const ham = emails.filter((e) => e.label === 'ham').slice(0, count / 2);
  const datasetName = unique(`${prefix}-emails`);
  const created = await insertDataset(
    { type: 'system' },
    { name: datasetName, task: 'text-classification', labels: ['ham', 'spam'], featureSchema: [] },
    [...spam, ...ham].map((email) => ({ ...email, features: null })),
  );
  const datasetId = created!.id;
  const sequelize = sequelizeOf();
  const one = async (sql: string, replacements: Record<string, unknown>) =>
    (await sequelize.query<{ id: number }>(sql, { replacements, type: QueryTypes.SELECT }))[0]!.id;
  const modelName = unique(`${prefix}-filter`);
  const modelId = await one(
    `INSERT INTO models (name, dataset_id, task) VALUES (:modelName, :datasetId, 'text-classification') RETURNING id`,
    { modelName, datasetId },
  );
  const versionId = await one(
    `INSERT INTO model_versions (model_id, version, onnx, sha256, size_bytes, input_schema, output_schema, trainer)
     VALUES (:modelId, 1, '\\x01', md5(:modelName) || md5(:modelName), 1, '{}', '{"labels":["ham","spam"]}', 'test')
     RETURNING id`,
    { modelId, modelName },
  );
  const ids = (
    await sequelize.query<{ id: string }>('SELECT id FROM records WHERE dataset_id = :datasetId ORDER BY id', {
      replacements: { datasetId },
      type: QueryTypes.SELECT,
    })
  ).map((r) => Number(r.id));
  const misclassifiedIds = ids.filter((_, i) => i % 5 === 0);
  await sequelize.query(
    `INSERT INTO record_predictions (record_id, model_version_id, predicted_label, score, probabilities)
     SELECT r.id, :versionId,
            CASE WHEN r.id IN (:wrong) THEN CASE r.label WHEN 'spam' THEN 'ham' ELSE 'spam' END ELSE r.label END,
            CASE WHEN r.id IN (:wrong) THEN 0.45 ELSE 0.95 END, '{0.5,0.5}'
       FROM records r WHERE r.dataset_id = :datasetId`,
    { replacements: { versionId, datasetId, wrong: misclassifiedIds } },
  );
  return { datasetId, datasetName, modelName, versionId, misclassifiedIds, recordIds: ids };
}
