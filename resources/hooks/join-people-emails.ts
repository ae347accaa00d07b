import type { Model } from 'sequelize';
import { MlModel, User } from '../../models/index.js';
import type { JoinedFields } from '../../admin/adapter/joined-fields.js';

/**
 * Joins the email of each person a row names (association `createdBy` → param `createdByEmail`), so
 * Created by / Updated by / Owner read as an email for every role, even one that may not open users
 * (admin/components/PersonEmail.tsx shows it). One LEFT JOIN on the users key per person column.
 */
export function joinPeopleEmails(associations: readonly string[]): JoinedFields {
  return {
    include: associations.map((as) => ({ model: User, as, attributes: ['email'] })),
    params: (row: Model) =>
      Object.fromEntries(
        associations.map((as) => [`${as}Email`, (row.get(as) as User | null | undefined)?.email ?? null]),
      ),
  };
}

/** Adds a version's model name (param `modelName`) to `joined`, so a version reads "spam-filter v3". */
export function joinModelName(joined: JoinedFields): JoinedFields {
  return {
    include: [...joined.include, { model: MlModel, as: 'model', attributes: ['name'] }],
    params: (row: Model) => ({
      ...joined.params(row),
      modelName: (row.get('model') as MlModel | null | undefined)?.name ?? null,
    }),
  };
}
