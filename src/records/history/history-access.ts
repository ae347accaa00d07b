import type { Actor } from '../../access/actor.js';
import { decide } from '../../access/decide.js';
import { refusalMessage } from '../../access/refusal-message.js';
import { Forbidden } from '../../errors/domain-error.js';

/** Reading History and change-sets (records.history): every role that reads records. */
export function checkMayReadHistory(actor: Actor): void {
  if (decide(actor, 'records', 'history') !== true)
    throw new Forbidden('records.history_forbidden', refusalMessage(actor, 'records', 'history'));
}
