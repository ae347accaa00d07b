import * as z from 'zod';
import type { ClassifierInputs } from '../../ml/onnx-classifier.js';
import type { ModelRuntime, ServedVersion } from '../../ml/runtime/model-runtime.js';
import { PredictionCache } from '../../ml/runtime/prediction-cache.js';
import { ALIAS_PATTERN } from '../../registry/promote-alias.js';
import { recordInference, type InferenceOutcome } from '../../monitoring/inference-metrics.js';
import type { PerMinuteStats } from '../../monitoring/per-minute-stats.js';
import type { PredictSampler } from '../../monitoring/predict-sampler.js';
import { ModelFault } from '../../errors/domain-error.js';
import { callerOf } from '../caller.js';
import { authorizeRoute, type ApiVersion, type RouteAccess } from '../route.js';
import { parse } from '../validation.js';
import { encodeInstances, parsePredictBodyInSlices, predictBodySchema, predictionsJson } from './predict-input.js';
import type { ApiResponse } from '../http-types.js';
import { HttpProblem } from '../problem.js';
import type { PredictPool } from './predict-pool.js';
import { reportModelFault } from './predict-faults.js';
import { NameParam } from '../schemas.js';

const PredictQuery = z
  .object({
    alias: z
      .string()
      .regex(ALIAS_PATTERN, 'an alias such as production or staging')
      .optional()
      .meta({ description: 'Serve the version this alias points at (default: production).' }),
    version: z.coerce
      .number()
      .int('a version number')
      .positive('a version number')
      .optional()
      .meta({ description: 'Serve this exact version instead of an alias.' }),
  })
  .refine((q) => q.alias === undefined || q.version === undefined, {
    message: 'give either alias or version, not both',
    path: ['version'],
  });

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
        probabilities: z.record(z.string(), z.number()).meta({ description: "Per label, in the model's label order." }),
      }),
    ),
  })
  .meta({ id: 'PredictResponse' });

/** Checked on both ways in: the route (calls by session) and the fast path (calls by key). */
const PREDICT_ACCESS: RouteAccess = { scope: 'predict', resource: 'models', action: 'predict' };

/** Bodies longer than this (about 200 rows of 30 numbers) are handled by a worker thread, when there is a pool. */
const LARGE_BODY_CHARS = 64 * 1024;

export interface PredictDependencies {
  runtime: ModelRuntime;
  stats: PerMinuteStats<number>;
  maxInstances: number;
  cacheEntries: number;
  /** Keeps a share of predicted instances (PREDICT_SAMPLE_RATE) for drift reports, written off this path. */
  sampler: PredictSampler;
  /** Worker threads for large bodies (INFERENCE_THREADS > 0). */
  pool?: PredictPool;
}

/** The route's parts the fast path (predict-fast-path.ts) runs without Express's routing. */
export interface PredictEndpoint {
  /** `/api/v1/models/{name}/predict` → the name, or null when the path is not this route's. */
  nameOf(path: string): string | null;
  /** Validates like the route and answers its JSON body as text (or throws a problem). */
  answer(
    res: Pick<ApiResponse, 'locals'>,
    raw: { name: string; query: unknown; body: () => unknown; bodyText: string | undefined },
  ): Promise<string>;
}

/** `POST /models/{name}/predict`: label and probabilities per instance, from one exact version. */
export function addPredictRoute(
  api: ApiVersion,
  { runtime, stats, maxInstances, cacheEntries, sampler, pool }: PredictDependencies,
): PredictEndpoint {
  const cache = new PredictionCache<string>(cacheEntries);
  const PredictBody = predictBodySchema(maxInstances);

  const parseBody = (raw: unknown) => parsePredictBodyInSlices(raw, maxInstances, PredictBody);

  /** Which version answers: the first step of every authorized predict call. */
  const begin = async (params: z.output<typeof NameParam>, query: z.output<typeof PredictQuery>) => ({
    started: performance.now(),
    ...(await runtime.resolve(params.name, query)),
  });

  const predict = async (
    res: Pick<ApiResponse, 'locals'>,
    params: z.output<typeof NameParam>,
    query: z.output<typeof PredictQuery>,
    body: z.output<typeof PredictBody>,
  ) => {
    const { started, served, alias } = await begin(params, query);
    const key = cache.enabled ? cache.keyOf(served.versionId, body.instances) : '';
    let predictions = cache.enabled ? cache.get(key) : undefined;
    const cached = predictions !== undefined;
    // The answer is written as JSON text directly (and cached as text): for a batch this is a good
    // part of the request's cost when built as objects and stringified.
    if (!predictions) {
      let inputs: ClassifierInputs;
      try {
        inputs = encodeInstances(served, body.instances);
      } catch (error) {
        observe(served, stats, 'invalid_input', started);
        throw error;
      }
      try {
        // Throws (and so caches nothing) when the model answered NaN or infinity: see predictionsJson.
        const probabilities = await served.batcher.predict(inputs);
        predictions = predictionsJson(served, probabilities, body.instances.length);
        // After the check: a model answering NaN is not sampled. Answers from the cache are not sampled
        // again (their input was, at the rate, when first computed).
        sampler.offer(served, inputs, probabilities, body.instances.length);
      } catch (error) {
        observe(served, stats, 'error', started);
        if (error instanceof ModelFault) await reportModelFault(callerOf(res).actor, served, error);
        throw error;
      }
      cache.set(key, predictions);
    }
    observe(served, stats, 'success', started);
    return answerJson(served, alias, cached, predictions);
  };

  /** A large body, as text, to a worker thread: parsed, checked, scored and answered there. No cache. */
  const predictLarge = async (
    res: Pick<ApiResponse, 'locals'>,
    params: z.output<typeof NameParam>,
    query: z.output<typeof PredictQuery>,
    text: string,
    threads: PredictPool,
  ) => {
    const { started, served, alias } = await begin(params, query);
    const { modelName, version, signature, width, features } = served;
    try {
      const { predictions, sampled } = await threads.predict({
        versionId: served.versionId,
        onnx: served.onnx,
        spec: { modelName, version, signature, width, features },
        text,
        maxInstances,
        sampleRate: sampler.rate,
      });
      if (sampled) {
        const picked = Array.from({ length: sampled.count }, (_, i) => i);
        sampler.keep(served, sampled.inputs, sampled.probabilities, picked);
      }
      observe(served, stats, 'success', started);
      return answerJson(served, alias, false, predictions);
    } catch (error) {
      observe(served, stats, error instanceof HttpProblem && error.status === 400 ? 'invalid_input' : 'error', started);
      if (error instanceof ModelFault) await reportModelFault(callerOf(res).actor, served, error);
      throw error;
    }
  };

  const answerJson = (served: ServedVersion, alias: string | null, cached: boolean, predictions: string) =>
    `{"apiVersion":"v1","model":${JSON.stringify(served.modelName)},"version":${served.version},"alias":${JSON.stringify(alias)},"cached":${cached},"predictions":${predictions}}`;

  api.add({
    method: 'post',
    path: '/models/{name}/predict',
    tag: 'Inference',
    access: PREDICT_ACCESS,
    summary: 'Predict labels and probabilities',
    description: `Runs the model version the alias (default \`production\`) points at, or \`?version=N\`. Tabular instances are arrays (one number per feature, in order; a category as its index in the feature's list) or objects (feature name → value); every number must be within float32's finite range (±3.4028235e38); text instances are strings. 1 to ${maxInstances} instances.`,
    params: NameParam,
    query: PredictQuery,
    body: PredictBody,
    parseBody,
    responses: {
      200: { description: 'One prediction per instance, in order.', schema: PredictResponse },
      502: {
        description:
          'The model version answered a probability that is not a finite number (code `model.output_not_finite`, problem details naming the instances): the model failed, not the request; nothing is served or cached.',
      },
    },
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
    answer: async (res, raw) => {
      const params = parse(NameParam, { name: raw.name }, 'path');
      const query = parse(PredictQuery, raw.query, 'query');
      // A large body is checked in the worker thread, after this; a small one before, as on the route.
      if (pool && raw.bodyText !== undefined && raw.bodyText.length > LARGE_BODY_CHARS) {
        await authorizeRoute(res, PREDICT_ACCESS);
        return predictLarge(res, params, query, raw.bodyText, pool);
      }
      const body = await parseBody(raw.body());
      await authorizeRoute(res, PREDICT_ACCESS);
      return predict(res, params, query, body);
    },
  };
}

/** Prometheus counts every outcome; inference_stats counts the requests that reached the model. */
function observe(
  served: ServedVersion,
  stats: PerMinuteStats<number>,
  outcome: InferenceOutcome,
  started: number,
): void {
  const ms = performance.now() - started;
  recordInference({ model: served.modelName, version: served.version, outcome, seconds: ms / 1000 });
  if (outcome !== 'invalid_input') stats.record(served.versionId, outcome === 'error', ms);
}
