import type pg from 'pg';
import { Op, literal } from 'sequelize';
import { DataRecord, type Dataset } from '../../models/index.js';
import { copyOutBinary, int8, type BinaryRow } from '../db/copy-binary.js';
import { selectSql } from '../db/select-sql.js';
import { InvalidInput } from '../errors/domain-error.js';
import { decodeFeatureVectors, type FeatureRows } from './decode-feature-vectors.js';
import type { ScoringModel } from './open-scoring-model.js';
import type { ScoreJobParams } from './score-input.js';
import { scoringWhere } from './scoring-where.js';

/** Records read for one step, in id order, with the time the read took. */
export type RecordChunk = { ids: number[]; readMs: number } &
  /** Per record, its text as read (null: none). */
  ({ kind: 'text'; texts: Array<Buffer | null> } | ({ kind: 'tabular' } & FeatureRows));

/** The next `chunkRows` records to score after `afterId`, read with binary COPY; an empty chunk means none are left. */
export async function readRecordChunk(
  reader: pg.Client,
  model: ScoringModel,
  params: ScoreJobParams,
  afterId: number,
  chunkRows: number,
): Promise<RecordChunk> {
  const begun = performance.now();
  const select = (...columns: Array<string | [ReturnType<typeof literal>, string]>) =>
    selectSql(DataRecord, {
      attributes: ['id', ...columns],
      where: { [Op.and]: [scoringWhere(params), { id: { [Op.gt]: afterId } }] },
      order: [['id', 'ASC']],
      limit: chunkRows,
    });
  if (!model.isText) {
    const rows = await readInSchemaSnapshot(reader, model.dataset, select(...featureColumns(model.width)));
    return {
      kind: 'tabular',
      ids: rows.map((r) => int8(r[0]!)),
      ...decodeFeatureVectors(rows, model.dataset.featureSchema, model.width),
      readMs: performance.now() - begun,
    };
  }
  const rows = await copyOutBinary(reader, select('text'));
  return {
    kind: 'text',
    ids: rows.map((r) => int8(r[0]!)),
    texts: rows.map((r) => r[1] ?? null),
    readMs: performance.now() - begun,
  };
}

/** Where the next chunk starts: after the chunk's largest id (its rows are not necessarily in id order). */
export function lastIdOf(chunk: Pick<RecordChunk, 'ids'>): number {
  let last = 0;
  for (const id of chunk.ids) if (id > last) last = id;
  return last;
}

/**
 * What a tabular chunk reads per record: its stored float4 vector (records.feature_vector, migration
 * 20261125001800), and its features JSON only where there is no vector of the model's width (a
 * non-numeric or missing feature, or a schema that is not all numbers), so nearly every record
 * crosses the wire as 4 bytes a feature and no JSON is parsed.
 */
function featureColumns(width: number): Array<[ReturnType<typeof literal>, string]> {
  const vector = '"DataRecord"."feature_vector"';
  return [
    [literal(vector), 'featureVector'],
    [
      literal(
        `CASE WHEN ${vector} IS NULL OR octet_length(${vector}) <> ${4 * width} THEN "DataRecord"."features" END`,
      ),
      'features',
    ],
  ];
}

/**
 * Reads a tabular chunk in one snapshot with its dataset's feature schema, and only while that schema
 * is the one the job started with. Stored vectors follow the dataset's current schema order (their
 * trigger recomputes them when it changes), so a schema changed mid-job must stop the job rather
 * than hand the model features in other places than it was trained on.
 */
async function readInSchemaSnapshot(reader: pg.Client, dataset: Dataset, select: string): Promise<BinaryRow[]> {
  await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const { rows } = await reader.query<{ same: boolean }>(
      'SELECT feature_schema = $2::jsonb AS same FROM datasets WHERE id = $1',
      [dataset.id, JSON.stringify(dataset.featureSchema)],
    );
    if (rows[0]?.same !== true) {
      throw new InvalidInput(
        'score.schema_changed',
        `The feature schema of dataset ${dataset.name} changed while scoring: queue the scoring again (retrain the model first if its features changed).`,
      );
    }
    return await copyOutBinary(reader, select);
  } finally {
    await reader.query('COMMIT').catch(() => undefined);
  }
}
