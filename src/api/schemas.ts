import * as z from 'zod';

/** RFC 9457 problem details, the body of every API error. */
export const ProblemSchema = z
  .object({
    type: z.string().meta({ description: 'A URI reference naming the kind of problem: /api/problems/{code}.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What was wrong and what to do.' }),
    instance: z.string().optional(),
    code: z.string().meta({ description: 'Stable code to match on, e.g. instances.wrong_width, auth.missing_scope.' }),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string().meta({ example: 'instances[3][7]' }), reason: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** Keyset pagination: `after` is the last id of the previous page. */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, 'at least 1')
    .max(500, 'at most 500')
    .default(50)
    .meta({ description: 'Items per page (1–500).' }),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: "Return items after this id (the previous page's `nextAfter`)." }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextAfter: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Pass as `after` for the next page; null on the last page.' }),
  });

export const NameParam = z.object({
  name: z.string().min(1).max(200).meta({ description: "The model's name.", example: 'penguin-species' }),
});
export const IdParam = z.object({ id: z.coerce.number().int('a whole number').positive('a positive id') });
