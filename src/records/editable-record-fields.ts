import { roleOf, type Actor } from '../access/actor.js';

/** Which record fields each role may change when editing; one place for the rule, used by every entry point. */
export function editableRecordFields(actor: Actor): 'all' | readonly string[] {
  switch (roleOf(actor)) {
    case 'admin':
    case 'content_manager':
      return 'all';
    case 'data_scientist':
      return ['label'];
    default:
      return [];
  }
}
