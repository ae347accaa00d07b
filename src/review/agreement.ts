import { QueryTypes } from 'sequelize';
import * as z from 'zod';
import { sequelizeOf } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { refusalMessage } from '../access/refusal-message.js';
import { Forbidden } from '../errors/domain-error.js';

export const LabelAgreement = z
  .object({
    label: z.string(),
    labelled: z.number().int().meta({ description: 'Items given this label through the queue.' }),
    reviewed: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    agreement: z
      .number()
      .nullable()
      .meta({ description: 'accepted / reviewed: how often a second reviewer agreed (null: none reviewed).' }),
    changed: z.number().int().meta({ description: 'Labels that differ from what the record had before.' }),
    modelAgreed: z
      .number()
      .int()
      .meta({ description: "Labels equal to the queue's model version's prediction for the record." }),
  })
  .meta({ id: 'LabelAgreement' });
export type LabelAgreement = z.infer<typeof LabelAgreement>;

/**
 * Agreement between reviewers per label of a queue: of the labels second-reviewed, how many were
 * accepted; beside it how many labels changed the record and how many agree with the model. One
 * aggregate over the queue's items (at most 10,000), for the queue's page and the API.
 */
export async function agreementOf(actor: Actor, queueId: number): Promise<LabelAgreement[]> {
  if (decide(actor, 'reviewQueues', 'show') !== true)
    throw new Forbidden('review_queues.show_forbidden', refusalMessage(actor, 'reviewQueues', 'show'));
  return labelAgreement(queueId);
}

/** agreementOf without the access check, for callers that made it (the queue's detail). */
export async function labelAgreement(queueId: number): Promise<LabelAgreement[]> {
  const rows = await sequelizeOf().query<Record<keyof LabelAgreement, string>>(
    `SELECT i.label,
            count(*) AS labelled,
            count(i.review_verdict) AS reviewed,
            count(*) FILTER (WHERE i.review_verdict = 'accepted') AS accepted,
            count(*) FILTER (WHERE i.review_verdict = 'rejected') AS rejected,
            count(*) FILTER (WHERE i.previous_label IS DISTINCT FROM i.label) AS changed,
            count(*) FILTER (WHERE p.predicted_label = i.label) AS "modelAgreed"
       FROM review_items i
       JOIN review_queues q ON q.id = i.queue_id
       LEFT JOIN record_predictions p ON p.record_id = i.record_id AND p.model_version_id = q.model_version_id
      WHERE i.queue_id = :queueId AND i.state = 'labelled'
      GROUP BY i.label ORDER BY i.label`,
    { replacements: { queueId }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => {
    const reviewed = Number(row.reviewed);
    const accepted = Number(row.accepted);
    return {
      label: row.label,
      labelled: Number(row.labelled),
      reviewed,
      accepted,
      rejected: Number(row.rejected),
      agreement: reviewed === 0 ? null : accepted / reviewed,
      changed: Number(row.changed),
      modelAgreed: Number(row.modelAgreed),
    };
  });
}
