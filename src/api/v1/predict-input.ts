import * as z from 'zod';
import { encodeInstanceInputs, type InstanceSpec } from '../../ml/model-inputs.js';
import type { ClassifierInputs } from '../../ml/onnx-classifier.js';
import { nonFiniteRows, outputNotFinite } from '../../ml/runtime/finite-output.js';
import { HttpProblem, type FieldProblem } from '../problem.js';
import { invalidInput, parse } from '../validation.js';

// What a predict request carries, how its instances are checked (by the one encoder, model-inputs.ts)
// and how the answer is written as JSON. No Express, no database: the web thread and the worker
// threads of large requests (predict-thread.ts) share it.

/** What the body's checks and the answer need to know of the version (what a worker thread is sent). */
export type InputSpec = InstanceSpec;

const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const Instance = z.union(
  [
    z
      .array(z.number({ error: 'must be a finite number, or null for a missing value' }).nullable())
      .meta({ description: "Tabular: one value per feature, in the model's feature order (null: missing)." }),
    z.string().max(100_000, 'at most 100,000 characters').meta({ description: 'Text: the document to classify.' }),
    z
      .record(z.string(), FeatureValue)
      .meta({ description: 'Tabular: feature name → value (missing features count as missing).' }),
  ],
  { error: 'must be an array of numbers or an object of feature values (tabular model), or a string (text model)' },
);

/** Instances validated at once; more are validated in slices of this many. */
const VALIDATION_SLICE = 100;

const TOO_FEW = 'give at least one instance';
const tooMany = (max: number) => `at most ${max} instances per request (API_MAX_INSTANCES): split the batch`;

/** The predict body: 1 to `maxInstances` instances. */
export function predictBodySchema(maxInstances: number) {
  return z.object({ instances: z.array(Instance).min(1, TOO_FEW).max(maxInstances, tooMany(maxInstances)) }).meta({
    id: 'PredictRequest',
    example: {
      instances: [
        {
          beak_length_mm: 39.1,
          beak_depth_mm: 18.7,
          flipper_length_mm: 181,
          body_mass_g: 3750,
          island: 'Torgersen',
          sex: 'MALE',
        },
      ],
    },
  });
}

export type PredictBody = z.output<ReturnType<typeof predictBodySchema>>;

/** Validates a whole body at once (the inference thread, small bodies). */
export function parsePredictBody(
  raw: unknown,
  maxInstances: number,
  schema = predictBodySchema(maxInstances),
): PredictBody {
  const numeric = numericInstances(raw, maxInstances);
  return numeric ? { instances: numeric } : parse(schema, raw, 'body');
}

/**
 * Validates like `parsePredictBody`, but a large body instance by instance in slices, yielding
 * between them, so that a request of 1,000 instances does not hold up small requests for the whole
 * of its validation. Same answers, same error paths.
 */
export async function parsePredictBodyInSlices(
  raw: unknown,
  maxInstances: number,
  schema = predictBodySchema(maxInstances),
): Promise<PredictBody> {
  const numeric = numericInstances(raw, maxInstances);
  if (numeric) return { instances: numeric };
  const head = z
    .object({ instances: z.array(z.unknown()).min(1, TOO_FEW).max(maxInstances, tooMany(maxInstances)) })
    .safeParse(raw);
  if (!head.success || head.data.instances.length <= VALIDATION_SLICE) return parse(schema, raw, 'body');
  const all = head.data.instances;
  const instances = new Array<InstanceValue>(all.length);
  const issues: z.core.$ZodIssue[] = [];
  const slices = z.array(Instance);
  for (let start = 0; start < all.length; start += VALIDATION_SLICE) {
    const slice = slices.safeParse(all.slice(start, start + VALIDATION_SLICE));
    if (slice.success) slice.data.forEach((instance, i) => (instances[start + i] = instance));
    else
      issues.push(
        ...slice.error.issues.map((issue) => ({
          ...issue,
          path: ['instances', start + Number(issue.path[0]), ...issue.path.slice(1)],
        })),
      );
    if (start + VALIDATION_SLICE < all.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (issues.length > 0) throw invalidInput(new z.ZodError(issues), raw, 'body');
  return { instances };
}

export type InstanceValue = z.infer<typeof Instance>;

/**
 * The instances of the commonest body, rows of numbers (or null), when that is all it holds: exactly
 * what PredictBody accepts for such a body (its first Instance branch and the count limits), checked
 * in one loop instead of by zod, which costs a batch of 64 rows about a sixth of its request. Anything
 * else (null, which zod could refuse with a message) goes to zod.
 */
export function numericInstances(raw: unknown, maxInstances: number): number[][] | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const instances = (raw as { instances?: unknown }).instances;
  if (!Array.isArray(instances) || instances.length < 1 || instances.length > maxInstances) return null;
  for (const row of instances) {
    if (!Array.isArray(row)) return null;
    for (const value of row) if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return null;
  }
  return instances as number[][];
}

/**
 * Checks the instances against what this version takes and encodes them, by the encoder's rule
 * (encodeInstanceInputs: float32's finite range, category names or indexes, texts); every misfit is
 * answered with its path (`instances[3].body_mass_g`, `instances[0][2]`), at most 50 of them.
 */
export function encodeInstances(served: InputSpec, instances: readonly InstanceValue[]): ClassifierInputs {
  const problems: FieldProblem[] = [];
  const inputs = encodeInstanceInputs(
    served,
    instances,
    (at, reason) => problems.length < 50 && problems.push({ path: `instances${at}`, reason }),
  );
  if (problems.length > 0) throw invalid(problems);
  return inputs;
}

function invalid(errors: FieldProblem[]): HttpProblem {
  return new HttpProblem(
    400,
    'instances.invalid',
    `Some instances do not fit the model: ${errors
      .slice(0, 3)
      .map((e) => `${e.path} ${e.reason}`)
      .join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}.`,
    errors,
  );
}

/**
 * The predictions array as JSON text: label, its probability, and every label's probability. A
 * probability that is not a finite number is never written (nor, as this throws, cached): the
 * request fails with `model.output_not_finite` (502) naming the instances.
 */
export function predictionsJson(
  served: Pick<InputSpec, 'signature' | 'modelName' | 'version'>,
  probabilities: Float32Array,
  rows: number,
): string {
  const labels = served.signature.labels.map((label) => JSON.stringify(label));
  const k = labels.length;
  const broken = nonFiniteRows(probabilities, rows, k);
  if (broken.length > 0)
    throw outputNotFinite(
      served,
      broken.map((i) => `instances[${i}]`),
    );
  const parts = new Array<string>(rows);
  for (let i = 0; i < rows; i += 1) {
    let best = 0;
    let byLabel = '';
    for (let c = 0; c < k; c += 1) {
      const p = probabilities[i * k + c]!;
      byLabel += `${c === 0 ? '' : ','}${labels[c]}:${p}`;
      if (p > probabilities[i * k + best]!) best = c;
    }
    parts[i] = `{"label":${labels[best]},"score":${probabilities[i * k + best]!},"probabilities":{${byLabel}}}`;
  }
  return `[${parts.join(',')}]`;
}
