import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { Forbidden } from '../../errors/domain-error.js';
import { editableRecordFields } from '../editable-record-fields.js';
import type { WrittenField } from './import-mapping.js';

/** The rule for uploading, checking and applying a CSV (datasets.importCsv), as the error every edge shows. */
export function checkMayImport(actor: Actor): void {
  if (decide(actor, 'datasets', 'importCsv') !== true)
    throw new Forbidden('import.forbidden', 'Your role may not import records; ask a content manager or an admin.');
}

/** An import writes record fields, so it is held to the same field-level limit as an edit. */
export function checkMayWriteFields(actor: Actor, fields: ReadonlySet<WrittenField>): void {
  const allowed = editableRecordFields(actor);
  const refused = allowed === 'all' ? [] : [...fields].filter((f) => !allowed.includes(f));
  if (refused.length > 0)
    throw new Forbidden(
      'import.fields_forbidden',
      `Your role may change only ${allowed === 'all' ? 'any field' : allowed.join(', ') || 'no field'} of a record, not ${refused.join(', ')}: map those columns to "ignore".`,
    );
}
