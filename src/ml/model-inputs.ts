import type { DatasetTask, FeatureSpec } from '../../models/enums.js';
import { InvalidInput } from '../errors/domain-error.js';
import type { ClassifierInputs, ClassifierSignature } from './onnx-classifier.js';

// The one place of the rule by which an instance or a record becomes a model's input: a feature
// value's float, a category's index, a text. Every path that feeds a model goes through here: the
// predict API (objects, arrays and texts, on the web thread and in its worker threads), batch
// scoring (records read from JSON), ONNX upload checks and training.
//
// The input tensor is float32, so a number that is finite as a JavaScript double but not as a float32
// (1e300, 3.5e38) would reach the model as ±Infinity and come back as NaN probabilities: such a value
// is refused, on every path, with where it was. A category given by index (the API's array form) must
// be the index of one of the feature's categories.

/** The largest finite float32 (2^128 − 2^104). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Whether `value` is a number that is still finite once stored as a float32 (what a model's input
 * tensor holds). Values that round to FLOAT32_MAX pass; tiny values that underflow to 0 or a
 * subnormal are finite and pass too. NaN, ±Infinity and non-numbers do not.
 */
export function isFiniteFloat32(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(Math.fround(value));
}

/**
 * A numeric feature's value: a finite JSON number, or a string holding one (as CSV imports give them,
 * e.g. "3750" or " 1.5e3 "); anything else (empty, "n/a", true, NaN, Infinity) is not a number.
 * (Finite as a double: whether it also fits a float32 is the encoder's rule, `isFiniteFloat32`.)
 */
export function numberOf(value: unknown): number | null {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : null;
}

/** What each rule says when a value breaks it (no value in the text, so reasons can be counted). */
export const FEATURE_RULES = {
  number: 'must be a finite number',
  float32: `must be within float32's finite range (-${FLOAT32_MAX.toPrecision(8)} to ${FLOAT32_MAX.toPrecision(8)})`,
  category: (spec: FeatureSpec) =>
    `must be one of ${(spec.categories ?? []).map((c) => JSON.stringify(c)).join(', ')} (or null when unknown)`,
  categoryIndex: (spec: FeatureSpec) => {
    const categories = spec.categories ?? [];
    return categories.length === 0
      ? 'must be null: this feature has no categories'
      : `must be the index of a category: an integer from 0 to ${categories.length - 1} (${categories.map((c, i) => `${i} = ${JSON.stringify(c)}`).join(', ')}), or null when unknown`;
  },
} as const;

/**
 * Where a value broke a rule: `at` is relative to the instance (`.body_mass_g` for an object,
 * `[3]` for an array), `reason` one of FEATURE_RULES, `value` what was given.
 */
export type ReportProblem = (at: string, reason: string, value: unknown) => void;

/**
 * How strict to be beyond the float32 rule, which always holds:
 * - a client's instance (`'instance'`): keys that are not features and categories not in the list
 *   are refused (the client can fix them now);
 * - a stored record (`'record'`): checked against the dataset's schema when written, but the schema
 *   may have changed since, so other keys are ignored and a category no longer in the list reads as
 *   missing (NaN), as training always read it.
 */
export type Strictness = 'instance' | 'record';

/**
 * One instance or record given as feature name → value, encoded into `out[at … at + schema.length)`:
 * numbers as they are, categories as their index, missing (null/absent) as NaN. Returns whether it
 * fit (every problem is reported).
 */
export function encodeFeatureObject(
  values: Readonly<Record<string, unknown>>,
  schema: readonly FeatureSpec[],
  out: Float32Array | Float64Array,
  at: number,
  strictness: Strictness,
  report: ReportProblem,
): boolean {
  let fits = true;
  if (strictness === 'instance') {
    for (const name of Object.keys(values)) {
      if (!schema.some((spec) => spec.name === name)) {
        report(
          `.${name}`,
          `is not a feature of this model; its features are ${schema.map((f) => f.name).join(', ')}`,
          undefined,
        );
        fits = false;
      }
    }
  }
  for (let j = 0; j < schema.length; j += 1) {
    const spec = schema[j]!;
    const value = values[spec.name];
    if (value === null || value === undefined) {
      out[at + j] = Number.NaN;
    } else if (spec.type === 'number') {
      const number = numberOf(value);
      if (number === null) {
        fits = false;
        report(`.${spec.name}`, FEATURE_RULES.number, value);
      } else if (!isFiniteFloat32(number)) {
        fits = false;
        report(`.${spec.name}`, FEATURE_RULES.float32, value);
      } else out[at + j] = number;
    } else {
      const index = (spec.categories ?? []).indexOf(String(value));
      if (index >= 0) out[at + j] = index;
      else if (strictness === 'record')
        out[at + j] = Number.NaN; // an unseen category reads as missing
      else {
        fits = false;
        report(`.${spec.name}`, FEATURE_RULES.category(spec), value);
      }
    }
  }
  return fits;
}

/**
 * One instance given as floats in the model's input order (the API's array form), encoded into
 * `out[at …)`: null as NaN (missing); every number within float32's finite range; where the
 * features are known, a categorical column holds the index of one of its categories. Returns
 * whether it fit. The caller has checked the length.
 */
export function encodeFeatureArray(
  values: ReadonlyArray<number | null>,
  schema: readonly FeatureSpec[] | null,
  out: Float32Array,
  at: number,
  report: ReportProblem,
): boolean {
  let fits = true;
  for (let j = 0; j < values.length; j += 1) {
    const value = values[j];
    if (value === null || value === undefined) {
      out[at + j] = Number.NaN;
      continue;
    }
    const spec = schema?.[j];
    if (spec?.type === 'category') {
      if (Number.isInteger(value) && value >= 0 && value < (spec.categories?.length ?? 0)) out[at + j] = value;
      else {
        fits = false;
        report(`[${j}]`, FEATURE_RULES.categoryIndex(spec), value);
      }
    } else {
      out[at + j] = value;
      // NaN cannot come from JSON; ±Infinity is what a double beyond float32's range becomes here.
      if (!Number.isFinite(out[at + j]!)) {
        fits = false;
        report(`[${j}]`, Number.isFinite(value) ? FEATURE_RULES.float32 : FEATURE_RULES.number, value);
      }
    }
  }
  return fits;
}

/**
 * One stored record's features into `out` (as `encodeFeatureObject` with `'record'` strictness);
 * throws InvalidInput naming the record and every feature that does not fit (code
 * `features.not_finite`, `fields` feature → rule).
 */
export function encodeRecordFeatures(
  features: Readonly<Record<string, unknown>>,
  schema: readonly FeatureSpec[],
  out: Float32Array | Float64Array,
  at: number,
  rowLabel: string,
): void {
  const fields: Record<string, string> = {};
  const said: string[] = [];
  const fits = encodeFeatureObject(features, schema, out, at, 'record', (where, reason, value) => {
    const name = where.slice(1);
    fields[name] = reason;
    said.push(`feature "${name}" ${reason}, got ${JSON.stringify(value)}`);
  });
  if (!fits) throw new InvalidInput('features.not_finite', `${rowLabel}: ${said.join('; ')}.`, fields);
}

/** What encoding a client's instances needs to know of a model version (a served version has it). */
export interface InstanceSpec {
  modelName: string;
  version: number;
  signature: ClassifierSignature;
  /** Floats per row (tabular). */
  width: number;
  /** The dataset's features in row order, when they match the model's input. */
  features: readonly FeatureSpec[] | null;
}

/** A client's instance: values in the model's input order (null: missing), feature name → value, or a text. */
export type Instance = ReadonlyArray<number | null> | string | Readonly<Record<string, unknown>>;

/**
 * A client's instances → what the version takes (`'instance'` strictness): texts for a text model;
 * for a tabular one, arrays of `width` values (encodeFeatureArray) or, when its features are named,
 * objects (encodeFeatureObject). Every misfit is reported with where it is, relative to the list
 * (`[3].body_mass_g`, `[0][2]`, `[5]`), and why, with the value given; the inputs are only
 * meaningful when nothing was reported.
 */
export function encodeInstanceInputs(
  spec: InstanceSpec,
  instances: readonly Instance[],
  report: (at: string, reason: string) => void,
): ClassifierInputs {
  const about = `model "${spec.modelName}" version ${spec.version}`;
  if (spec.signature.input.type === 'string') {
    const texts: string[] = [];
    instances.forEach((instance, i) =>
      typeof instance === 'string' ? texts.push(instance) : report(`[${i}]`, `${about} classifies text: send a string`),
    );
    return texts;
  }
  const { width, features } = spec;
  const rows = new Float32Array(instances.length * width);
  instances.forEach((instance, i) => {
    const path = `[${i}]`;
    const at: ReportProblem = (where, reason, value) =>
      report(`${path}${where}`, value === undefined ? reason : `${reason}, got ${JSON.stringify(value)}`);
    if (typeof instance === 'string')
      return report(
        path,
        `${about} takes features, not text: send ${width} numbers${features ? ' or an object of feature values' : ''}`,
      );
    if (isValueArray(instance)) {
      if (instance.length !== width)
        return report(
          path,
          `has ${instance.length} values; ${about} takes ${width}${features ? ` (${features.map((f) => f.name).join(', ')})` : ''}`,
        );
      encodeFeatureArray(instance, features, rows, i * width, at);
      return;
    }
    if (!features)
      return report(path, `${about} has no named features (its input is ${width} unnamed numbers): send an array`);
    encodeFeatureObject(instance, features, rows, i * width, 'instance', at);
  });
  return rows;
}

/** `Array.isArray` narrows a readonly array union to `any[]`; this keeps the element type. */
function isValueArray(instance: Exclude<Instance, string>): instance is ReadonlyArray<number | null> {
  return Array.isArray(instance);
}

export interface InputRecord {
  id: number;
  text: string | null;
  features: Readonly<Record<string, unknown>> | null;
}

/**
 * Records → what a classifier of their dataset takes: the raw texts, or float rows of the features
 * in schema order (see encodeFeatureObject). Throws InvalidInput for the first record that does not fit.
 */
export function encodeInputs(
  dataset: { task: DatasetTask; featureSchema: readonly FeatureSpec[] },
  records: readonly InputRecord[],
): ClassifierInputs {
  if (dataset.task === 'text-classification') return records.map((r) => r.text ?? '');
  const width = dataset.featureSchema.length;
  const rows = new Float32Array(records.length * width);
  records.forEach((r, i) =>
    encodeRecordFeatures(r.features ?? {}, dataset.featureSchema, rows, i * width, `record ${r.id}`),
  );
  return rows;
}
