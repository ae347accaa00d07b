import { DatabaseError, ForeignKeyConstraintError, UniqueConstraintError } from 'sequelize';

/** What each named constraint means to the person whose change it refused, and how to fix it. */
const MESSAGES: Readonly<Record<string, string>> = {
  users_email_lowercase: 'Email must be lower case without surrounding spaces.',
  users_email_shape: 'Email must look like name@example.com.',
  users_email_key: 'A user with this email already exists.',
  records_has_input: 'A record needs text or features (or both).',
  records_label_in_dataset:
    "The label is not one of the dataset's labels: pick one of them, or add the label to the dataset first.",
  records_prediction_complete:
    'Predicted label, model version and scored-at time are set together by scoring, not by hand.',
  records_dataset_id_fkey: 'This dataset still has records: delete or move them first.',
  datasets_name_key: 'A dataset with this name already exists.',
  datasets_name_check:
    'Dataset names are lower case letters, digits, "-" and "_", starting with a letter or digit (max 63).',
  models_name_key: 'A model with this name already exists.',
  models_name_check:
    'Model names are lower case letters, digits, "-" and "_", starting with a letter or digit (max 63).',
  models_dataset_id_fkey: 'Models are trained on this dataset: it cannot be deleted.',
  model_aliases_alias_check: 'Aliases are lower case letters, digits, "-" and "_", starting with a letter (max 40).',
  api_keys_scopes_check: 'Unknown API scope: use predict, records:read, records:write, models:write or jobs:write.',
};

/** A user-facing sentence for a constraint violation, or undefined when the error is something else. */
export function constraintMessage(error: unknown): string | undefined {
  if (!(
    error instanceof DatabaseError ||
    error instanceof UniqueConstraintError ||
    error instanceof ForeignKeyConstraintError
  ))
    return undefined;
  const original = (error as { original?: { constraint?: string; code?: string; message?: string } }).original;
  const constraint = original?.constraint ?? (error as { index?: string }).index;
  if (constraint && MESSAGES[constraint]) return MESSAGES[constraint];
  if (original?.code === '23514')
    return `The value breaks a rule of the database (${constraint ?? 'check'}): correct it and save again.`;
  if (original?.code === '23503') return 'Other rows still refer to this one: remove those references first.';
  if (original?.code === '23505') return 'That value is already taken: choose another one.';
  if (original?.code === '22P02' || original?.code === '22007' || original?.code === '22003') {
    return 'A value has the wrong format for its field (e.g. text in a number field): correct it and save again.';
  }
  return undefined;
}
