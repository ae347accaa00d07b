import * as z from 'zod';
import type { FeatureSpec } from '../../../models/enums.js';
import { numberOf } from '../../ml/tabular/tabular-encoder.js';
import type { ModelRuntime, ServedVersion } from '../../ml/runtime/model-runtime.js';
import { PredictionCache } from '../../ml/runtime/prediction-cache.js';
import { recordInference } from '../../monitoring/inference-metrics.js';
import type { PerMinuteStats } from '../../monitoring/per-minute-stats.js';
import { authorize } from '../caller.js';
import { HttpProblem, type FieldProblem } from '../problem.js';
import { invalidInput, parse, type ApiVersion } from '../route.js';
import type { ApiResponse } from '../http-types.js';
import { NameParam } from '../schemas.js';

const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const Instance = z.union(
  [
    z.array(z.number({ error: 'must be a finite number, or null for a missing value' }).nullable()).meta({ description: 'Tabular: one value per feature, in the model\'s feature order (null: missing).' }),
    z.string().max(100_000, 'at most 100,000 characters').meta({ description: 'Text: the document to classify.' }),
    z.record(z.string(), FeatureValue).meta({ description: 'Tabular: feature name → value (missing features count as missing).' }),
  ],
  { error: 'must be an array of numbers or an object of feature values (tabular model), or a string (text model)' },
);

/** Instances validated at once; more are validated in slices of this many. */
const VALIDATION_SLICE = 100;

const PredictQuery = z
  .object({
    alias: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'an alias such as production or staging').optional().meta({ description: 'Serve the version this alias points at (default: production).' }),
    version: z.coerce.number().int('a version number').positive('a version number').optional().meta({ description: 'Serve this exact version instead of an alias.' }),
  })
  .refine((q) => q.alias === undefined || q.version === undefined, { message: 'give either alias or version, not both', path: ['version'] });

const PredictResponse = z
  .object({
    apiVersion: z.literal('v1'),
    model: z.string(),
    version: z.number().int().meta({ description: 'The exact model version that answered.' }),
    alias: z.string().nullable().meta({ description: 'The alias asked for, or null when a version number was.' }),
    cached: z.boolean().meta({ description: 'Answered from the in-process cache of identical inputs.' }),
    predictions: z.array(
      z.object({
        label: z.string(),
        score: z.number().meta({ description: 'The probability of `label`.' }),
        probabilities: z.record(z.string(), z.number()).meta({ description: 'Per label, in the model\'s label order.' }),
      }),
    ),
  })
  .meta({ id: 'PredictResponse' });


const TOO_FEW = 'give at least one instance';
const tooMany = (max: number) => `at most ${max} instances per request (API_MAX_INSTANCES): split the batch`;

/** The predict body: 1 to `maxInstances` instances. */
export function predictBodySchema(maxInstances: number) {
  return z
    .object({ instances: z.array(Instance).min(1, TOO_FEW).max(maxInstances, tooMany(maxInstances)) })
    .meta({ id: 'PredictRequest', example: { instances: [{ beak_length_mm: 39.1, beak_depth_mm: 18.7, flipper_length_mm: 181, body_mass_g: 3750, island: 'Torgersen', sex: 'MALE' }] } });
}

export interface PredictDependencies {
  runtime: ModelRuntime;
  stats: PerMinuteStats<number>;
  maxInstances: number;
  cacheEntries: number;
}

/** The route's parts the fast path (src/api/index.ts) runs without Express's routing. */
export interface PredictEndpoint {
  /** `/api/v1/models/{name}/predict` → the name, or null when the path is not this route's. */
  nameOf(path: string): string | null;
  /** Validates like the route and answers its JSON body as text (or throws a problem). */
  answer(res: Pick<ApiResponse, 'locals'>, raw: { name: string; query: unknown; body: unknown }): Promise<string>;
}

/** `POST /models/{name}/predict`: label and probabilities per instance, from one exact version. */
export function addPredictRoute(api: ApiVersion, { runtime, stats, maxInstances, cacheEntries }: PredictDependencies): PredictEndpoint {
  const cache = new PredictionCache<string>(cacheEntries);
  const PredictBody = predictBodySchema(maxInstances);

  // Large bodies are validated instance by instance in slices, yielding between them, so that a
  // request of 1,000 instances does not hold up small requests for the whole of its validation.
  const PredictBodyHead = z.object({ instances: z.array(z.unknown()).min(1, TOO_FEW).max(maxInstances, tooMany(maxInstances)) });
  const SliceOf = z.array(Instance);
  const parseBody = async (raw: unknown): Promise<z.output<typeof PredictBody>> => {
    const numeric = numericInstances(raw, maxInstances);
    if (numeric) return { instances: numeric };
    const head = PredictBodyHead.safeParse(raw);
    if (!head.success || head.data.instances.length <= VALIDATION_SLICE) return parse(PredictBody, raw, 'body');
    const all = head.data.instances;
    const instances: Array<z.output<typeof Instance>> = new Array(all.length);
    const issues: z.core.$ZodIssue[] = [];
    for (let start = 0; start < all.length; start += VALIDATION_SLICE) {
      const slice = SliceOf.safeParse(all.slice(start, start + VALIDATION_SLICE));
      if (slice.success) slice.data.forEach((instance, i) => (instances[start + i] = instance));
      else issues.push(...slice.error.issues.map((issue) => ({ ...issue, path: ['instances', start + Number(issue.path[0]), ...issue.path.slice(1)] })));
      if (start + VALIDATION_SLICE < all.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (issues.length > 0) throw invalidInput(new z.ZodError(issues), raw, 'body');
    return { instances };
  };

  const predict = async (res: Pick<ApiResponse, 'locals'>, params: z.output<typeof NameParam>, query: z.output<typeof PredictQuery>, body: z.output<typeof PredictBody>) => {
    authorize(res, 'predict', 'models', 'predict');
    const started = performance.now();
    const { served, alias } = await runtime.resolve(params.name, query);
    const key = cache.enabled ? cache.keyOf(served.versionId, body.instances) : '';
    let predictions = cache.enabled ? cache.get(key) : undefined;
    const cached = predictions !== undefined;
    // The answer is written as JSON text directly (and cached as text): for a batch this is a good
    // part of the request's cost when built as objects and stringified.
    if (!predictions) {
      let inputs: Float32Array | string[];
      try {
        inputs = encodeInstances(served, body.instances);
      } catch (error) {
        recordInference({ model: served.modelName, version: served.version, outcome: 'invalid_input', seconds: 0 });
        throw error;
      }
      try {
        predictions = predictionsJson(served, await served.batcher.predict(inputs), body.instances.length);
      } catch (error) {
        observe(served, stats, 'error', started);
        throw error;
      }
      cache.set(key, predictions);
    }
    observe(served, stats, 'success', started);
    return `{"apiVersion":"v1","model":${JSON.stringify(served.modelName)},"version":${served.version},"alias":${JSON.stringify(alias)},"cached":${cached},"predictions":${predictions}}`;
  };

  api.add({
    method: 'post',
    path: '/models/{name}/predict',
    tag: 'Inference',
    scope: 'predict',
    summary: 'Predict labels and probabilities',
    description: `Runs the model version the alias (default \`production\`) points at, or \`?version=N\`. Tabular instances are arrays (one number per feature, in order) or objects (feature name → value); text instances are strings. 1 to ${maxInstances} instances.`,
    params: NameParam,
    query: PredictQuery,
    body: PredictBody,
    parseBody,
    responses: { 200: { description: 'One prediction per instance, in order.', schema: PredictResponse } },
    handler: async ({ params, query, body }, _req, res) => {
      res.type('application/json').send(await predict(res, params, query, body));
      return undefined;
    },
  });

  const prefix = `/api/${api.name}/models/`;
  return {
    nameOf(path) {
      if (!path.startsWith(prefix) || !path.endsWith('/predict')) return null;
      const name = path.slice(prefix.length, -'/predict'.length);
      if (name === '' || name.includes('/')) return null;
      try {
        return decodeURIComponent(name);
      } catch {
        return null;
      }
    },
    answer: async (res, raw) =>
      predict(res, parse(NameParam, { name: raw.name }, 'path'), parse(PredictQuery, raw.query, 'query'), await parseBody(raw.body)),
  };
}

function observe(served: ServedVersion, stats: PerMinuteStats<number>, outcome: 'success' | 'error', started: number): void {
  const ms = performance.now() - started;
  recordInference({ model: served.modelName, version: served.version, outcome, seconds: ms / 1000 });
  stats.record(served.versionId, outcome === 'error', ms);
}

type InstanceValue = z.infer<typeof Instance>;

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

/** Checks the instances against what this version takes and encodes them; every misfit is reported with its path. */
export function encodeInstances(served: ServedVersion, instances: readonly InstanceValue[]): Float32Array | string[] {
  const problems: FieldProblem[] = [];
  const report = (path: string, reason: string) => problems.length < 50 && problems.push({ path, reason });
  const about = `model "${served.modelName}" version ${served.version}`;
  if (served.signature.input.type === 'string') {
    const texts: string[] = [];
    instances.forEach((instance, i) => (typeof instance === 'string' ? texts.push(instance) : report(`instances[${i}]`, `${about} classifies text: send a string`)));
    if (problems.length > 0) throw invalid(problems);
    return texts;
  }
  const { width, features } = served;
  const rows = new Float32Array(instances.length * width);
  instances.forEach((instance, i) => {
    const at = i * width;
    if (typeof instance === 'string') return report(`instances[${i}]`, `${about} takes features, not text: send ${width} numbers${features ? ' or an object of feature values' : ''}`);
    if (Array.isArray(instance)) {
      if (instance.length !== width) return report(`instances[${i}]`, `has ${instance.length} values; ${about} takes ${width}${features ? ` (${features.map((f) => f.name).join(', ')})` : ''}`);
      for (let j = 0; j < width; j += 1) rows[at + j] = instance[j] ?? Number.NaN;
      return;
    }
    if (!features) return report(`instances[${i}]`, `${about} has no named features (its input is ${width} unnamed numbers): send an array`);
    encodeObject(instance, features, rows, at, `instances[${i}]`, report);
  });
  if (problems.length > 0) throw invalid(problems);
  return rows;
}

function encodeObject(
  instance: Readonly<Record<string, unknown>>,
  features: readonly FeatureSpec[],
  rows: Float32Array,
  at: number,
  path: string,
  report: (path: string, reason: string) => void,
): void {
  const known = new Set(features.map((f) => f.name));
  for (const name of Object.keys(instance)) {
    if (!known.has(name)) report(`${path}.${name}`, `is not a feature of this model; its features are ${[...known].join(', ')}`);
  }
  features.forEach((spec, j) => {
    const value = instance[spec.name];
    if (value === null || value === undefined) {
      rows[at + j] = Number.NaN;
    } else if (spec.type === 'number') {
      const number = numberOf(value);
      if (number === null) report(`${path}.${spec.name}`, `must be a finite number, got ${JSON.stringify(value)}`);
      else rows[at + j] = number;
    } else {
      const categories = spec.categories ?? [];
      const index = categories.indexOf(String(value));
      if (index < 0) report(`${path}.${spec.name}`, `must be one of ${categories.map((c) => JSON.stringify(c)).join(', ')} (or null when unknown), got ${JSON.stringify(value)}`);
      else rows[at + j] = index;
    }
  });
}

function invalid(errors: FieldProblem[]): HttpProblem {
  return new HttpProblem(400, 'instances.invalid', `Some instances do not fit the model: ${errors.slice(0, 3).map((e) => `${e.path} ${e.reason}`).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}.`, errors);
}

/** The predictions array as JSON text: label, its probability, and every label's probability. */
export function predictionsJson(served: ServedVersion, probabilities: Float32Array, rows: number): string {
  const labels = served.signature.labels.map((label) => JSON.stringify(label));
  const k = labels.length;
  const parts: string[] = new Array(rows);
  for (let i = 0; i < rows; i += 1) {
    let best = 0;
    let byLabel = '';
    for (let c = 0; c < k; c += 1) {
      const p = probabilities[i * k + c]!;
      byLabel += `${c === 0 ? '' : ','}${labels[c]}:${jsonNumber(p)}`;
      if (p > probabilities[i * k + best]!) best = c;
    }
    parts[i] = `{"label":${labels[best]},"score":${jsonNumber(probabilities[i * k + best]!)},"probabilities":{${byLabel}}}`;
  }
  return `[${parts.join(',')}]`;
}

/** As JSON.stringify writes a number (NaN and infinities as null). */
const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');
