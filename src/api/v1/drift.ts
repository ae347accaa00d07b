import * as z from 'zod';
import { driftReport } from '../../monitoring/drift/drift-report.js';
import { DriftThresholds, DriftThresholdsChange, setDriftThresholds } from '../../monitoring/drift/drift-thresholds.js';
import { findModelByName } from '../../registry/resolve-version.js';
import { callerOf } from '../caller.js';
import type { ApiVersion } from '../route.js';
import { NameParam } from '../schemas.js';

const DriftQuery = z.object({
  version: z.coerce.number().int('a whole version number').positive('a version number, e.g. 3').optional(),
});

// The report is large and nested (bins per feature); its fields are described in docs/drift.md.
const DriftReportSchema = z
  .object({
    model: z.object({ id: z.number(), name: z.string(), datasetId: z.number() }),
    version: z.object({ id: z.number(), version: z.number(), aliases: z.array(z.string()) }),
    drifted: z.boolean(),
    reasons: z.array(z.string()),
    enoughLive: z.boolean(),
    thresholds: DriftThresholds,
    features: z.array(z.record(z.string(), z.unknown())),
    predictedLabels: z.record(z.string(), z.unknown()),
    outOfVocabulary: z.record(z.string(), z.unknown()).nullable(),
    reference: z.record(z.string(), z.unknown()),
    live: z.record(z.string(), z.unknown()),
    sampleCap: z.number(),
    sampled: z.boolean(),
    computedAt: z.string(),
    cached: z.boolean(),
  })
  .passthrough()
  .meta({
    id: 'DriftReport',
    description: 'Drift of live records and sampled predictions from a version’s training rows.',
  });

/** GET /models/{name}/drift and PATCH /models/{name}/drift-thresholds. */
export function addDriftRoutes(api: ApiVersion): void {
  api.add({
    method: 'get',
    path: '/models/{name}/drift',
    tag: 'Models',
    access: { scope: 'predict', resource: 'models', action: 'drift' },
    summary: "Drift of a model version's live data from its training data",
    description:
      'Per feature PSI (10 reference deciles) and KS, category shares, text out-of-vocabulary rate and length, predicted-label shift; "drifted" by the model\'s thresholds. Default version: production, else the newest. See docs/drift.md.',
    params: NameParam,
    query: DriftQuery,
    responses: { 200: { description: 'The drift report.', schema: DriftReportSchema } },
    handler: async ({ params, query }, _req, res) =>
      driftReport(callerOf(res).actor, {
        model: params.name,
        ...(query.version === undefined ? {} : { version: query.version }),
      }),
  });

  api.add({
    method: 'patch',
    path: '/models/{name}/drift-thresholds',
    tag: 'Models',
    access: { scope: 'models:write', resource: 'models', action: 'driftSettings' },
    summary: "Change a model's drift thresholds",
    description:
      'Only the thresholds given change; null puts one back to its default. Audited as models.drift_settings.',
    params: NameParam,
    body: DriftThresholdsChange,
    responses: {
      200: {
        description: 'The thresholds now in force.',
        schema: z.object({ thresholds: DriftThresholds, changed: z.record(z.string(), z.number()) }),
      },
    },
    handler: async ({ params, body }, _req, res) => {
      const model = await findModelByName(params.name);
      return setDriftThresholds(callerOf(res).actor, model.id, body);
    },
  });
}
