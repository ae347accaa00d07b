import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { Forbidden } from '../errors/domain-error.js';

/** Asked again when the job runs, not only when it is queued: a role taken away meanwhile stops it. */
export function checkScoringAccess(actor: Actor): void {
  if (decide(actor, 'models', 'score') !== true)
    throw new Forbidden('score.forbidden', refusalMessage(actor, 'models', 'score'));
}
