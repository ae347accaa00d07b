import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import * as z from 'zod';
import { Dataset } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { recordFailure, withAudit } from '../audit/with-audit.js';
import { Conflict, Forbidden, InvalidInput } from '../errors/domain-error.js';
import { syntheticTabularStream } from './synthetic-tabular.js';
import { syntheticTextStream } from './synthetic-text.js';
import { encodeGeneratedRows, GENERATED_COLUMNS, type GeneratedRow } from './generated-rows.js';

export const GenerateInput = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower case letters, digits, "-" and "_" (e.g. synthetic-1m)'),
  rows: z.coerce.number().int().min(1).max(10_000_000, 'at most 10,000,000 rows'),
  task: z.enum(['tabular-classification', 'text-classification']).default('tabular-classification'),
  seed: z.coerce.number().int().default(7),
});
export type GenerateInput = z.input<typeof GenerateInput>;

export interface GenerateResult {
  datasetId: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * Creates a synthetic dataset of `rows` records (tabular: 30 standard-normal features labelled by a
 * hidden linear rule plus noise; text: support messages with label cue words and 10% noise),
 * deterministic for a seed, split 80/20, loaded with COPY in one transaction: a million rows in
 * seconds, in constant memory. Audited as datasets.generate. Tabular rows carry their feature vector
 * (records.feature_vector, see migration 20261125001800), written here rather than by the row trigger.
 */
export async function generateDataset(
  actor: Actor,
  raw: GenerateInput,
  progress: (done: number) => void = () => undefined,
): Promise<GenerateResult> {
  const parsed = GenerateInput.safeParse(raw);
  if (!parsed.success)
    throw new InvalidInput(
      'generate.input',
      `Check the options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
    );
  const input = parsed.data;
  if (decide(actor, 'datasets', 'new') !== true) {
    const error = new Forbidden('generate.forbidden', refusalMessage(actor, 'datasets', 'new'));
    await recordFailure(actor, { action: 'datasets.generate', resource: 'datasets' }, error);
    throw error;
  }
  if (await Dataset.findOne({ where: { name: input.name } }))
    throw new Conflict('generate.exists', `A dataset named "${input.name}" exists already: choose another name.`);
  const started = performance.now();
  const tabular = input.task === 'tabular-classification';
  const source = tabular ? syntheticTabularStream(30, input.seed) : syntheticTextStream(input.seed);
  return withAudit(actor, { action: 'datasets.generate', resource: 'datasets' }, async (transaction, audit) => {
    const dataset = await Dataset.create(
      {
        name: input.name,
        task: input.task,
        labels: source.labels,
        featureSchema: tabular ? (source as ReturnType<typeof syntheticTabularStream>).schema : [],
        description: `Synthetic ${tabular ? 'tabular' : 'text'} data (${input.rows.toLocaleString('en')} rows, seed ${input.seed}), made by cli generate.`,
        source: 'modeldesk generate',
        license: 'CC0',
      },
      { transaction },
    );
    const connection = (transaction as unknown as { connection: pg.Client }).connection;
    await tuneForBulkLoad(connection);
    const copy = connection.query(
      copyFrom(`COPY records (${GENERATED_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`),
    );
    const schema = tabular ? (source as ReturnType<typeof syntheticTabularStream>).schema : [];
    function* rows(): Generator<GeneratedRow> {
      const values = new Float64Array(schema.length);
      for (let i = 0; i < input.rows; i += 1) {
        const split = (Math.imul(i + 1, 2654435761) >>> 0) % 100 < 80 ? 'train' : 'test';
        if (tabular) {
          const label = (source as ReturnType<typeof syntheticTabularStream>).nextInto(values);
          yield { text: null, values, label, split };
        } else {
          const row = (source as ReturnType<typeof syntheticTextStream>).next();
          yield { text: row.text, values: null, label: row.label, split };
        }
        if ((i + 1) % 100_000 === 0) progress(i + 1);
      }
    }
    await pipeline(Readable.from(encodeGeneratedRows(dataset.id, schema, rows())), copy);
    if (!copy.writableFinished) await once(copy, 'finish');
    await cleanGinPendingLists(connection);
    audit.note({
      recordIds: [dataset.id],
      after: { name: input.name, task: input.task, rows: input.rows, seed: input.seed },
    });
    const seconds = (performance.now() - started) / 1000;
    return { datasetId: dataset.id, rows: input.rows, seconds, rowsPerSecond: Math.round(input.rows / seconds) };
  });
}

/**
 * Settings for the generating transaction only. Its commit need not wait for the WAL flush (a crash
 * right after it loses the dataset, which the caller can generate again; nothing is half-written).
 */
async function tuneForBulkLoad(connection: pg.Client): Promise<void> {
  await connection.query(`SET LOCAL synchronous_commit = off`);
}

/**
 * GIN indexes (the trigram index on text, the one on tags) take new entries into a pending list
 * first (up to 4 MB each); merge what this load left there before committing, so that the console's first searches do
 * not scan it row by row.
 */
async function cleanGinPendingLists(connection: pg.Client): Promise<void> {
  await connection.query('SELECT records_clean_gin_pending_lists()'); // migration 20261125001900
}
