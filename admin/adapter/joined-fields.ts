import type { Includeable, Model } from 'sequelize';

/** Values of a record that live in another table, shown as if they were its own (e.g. a record's prediction). */
export interface JoinedFields {
  include: Includeable[];
  /** The joined values as the record's flat params, e.g. { predictedLabel: 'spam' }. */
  params(row: Model): Record<string, unknown>;
}

/** A row as the console's flat params: its columns, with the joined rows replaced by the values they stand for. */
export function rowParams(row: Model, joined: JoinedFields | undefined): Record<string, unknown> {
  const params = row.toJSON<Record<string, unknown>>();
  if (!joined) return params;
  for (const include of joined.include) delete params[(include as { as?: string }).as ?? ''];
  return Object.assign(params, joined.params(row));
}
