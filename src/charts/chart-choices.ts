import { QueryTypes, type Sequelize } from 'sequelize';

export interface Choice {
  id: number;
  name: string;
}

const MAX_CHOICES = 500;

/** The datasets or models a dashboard picker offers, by name. */
export async function choicesOf(sequelize: Sequelize, table: 'datasets' | 'models'): Promise<Choice[]> {
  return sequelize.query<Choice>(`SELECT id, name FROM ${table} ORDER BY name LIMIT ${MAX_CHOICES}`, {
    type: QueryTypes.SELECT,
  });
}

/** The dataset whose records changed last: where people are working (one step down the updated_at index). */
export async function busiestDataset(sequelize: Sequelize): Promise<number | undefined> {
  const [row] = await sequelize.query<{ dataset_id: number }>(
    'SELECT dataset_id FROM records ORDER BY updated_at DESC LIMIT 1',
    { type: QueryTypes.SELECT },
  );
  return row?.dataset_id;
}

/** The model whose production alias moved last, if any. */
export async function lastPromotedModel(sequelize: Sequelize): Promise<number | undefined> {
  const [row] = await sequelize.query<{ model_id: number }>(
    `SELECT model_id FROM model_aliases WHERE alias = 'production' ORDER BY updated_at DESC LIMIT 1`,
    { type: QueryTypes.SELECT },
  );
  return row?.model_id;
}

/** The asked-for id when it is one of the choices, else the preferred one's, else the first choice's. */
export async function chosenId(
  asked: unknown,
  options: readonly Choice[],
  preferred: () => Promise<number | undefined>,
): Promise<number | undefined> {
  const id = positiveInteger(asked);
  if (id !== undefined && options.some((o) => o.id === id)) return id;
  const fallback = await preferred();
  return fallback !== undefined && options.some((o) => o.id === fallback) ? fallback : options[0]?.id;
}

/** A query parameter as a positive integer (at most 9 digits), else undefined. */
export function positiveInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
  return n !== undefined && n > 0 ? n : undefined;
}
