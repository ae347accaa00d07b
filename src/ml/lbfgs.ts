/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 7.4 and 3.5/3.6)
 * for a smooth unconstrained objective. Generic: it knows nothing of models, only of a function that
 * returns its value and writes its gradient. Deterministic: no randomness anywhere.
 */

/** Returns f(x) and writes ∇f(x) into `gradient` (same length as x). Must not keep either array. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop (not converged) after this many iterations. */
  maxIterations: number;
  /** Converged when the largest gradient component is at most this. */
  tolerance: number;
  /** Also converged when the objective moves by less than this share of itself for `stallIterations` in a row. */
  relativeChange?: number;
  stallIterations?: number;
  /** Pairs (s, y) kept for the inverse-Hessian estimate. */
  memory?: number;
  /** Told after each iteration; the minimisation runs synchronously around it. */
  onIteration?: (iteration: number, objective: number, gradientNorm: number) => void;
}

/** Why the minimisation stopped; only 'gradient' and 'objective' count as converged. */
export type StopReason = 'gradient' | 'objective' | 'max-iterations' | 'line-search';

export interface LbfgsResult {
  /** The minimiser found (the same array that was passed in, updated in place). */
  x: Float64Array;
  converged: boolean;
  stopReason: StopReason;
  iterations: number;
  evaluations: number;
  /** Largest gradient component at `x`. */
  gradientNorm: number;
  /** f at the start, then after each iteration. */
  objective: number[];
}

const C1 = 1e-4; // sufficient decrease (Armijo)
const C2 = 0.9; // curvature: the usual choice for quasi-Newton directions
const MAX_LINE_EVALUATIONS = 25;

/** Minimises `f` from `x` (updated in place). */
export function minimiseLbfgs(f: Objective, x: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x.length;
  const memory = options.memory ?? 10;
  const relativeChange = options.relativeChange ?? 1e-10;
  const stallIterations = options.stallIterations ?? 3;
  // All buffers allocated once: an iteration allocates nothing.
  const s = Array.from({ length: memory }, () => new Float64Array(n));
  const y = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  const gradient = new Float64Array(n);
  const direction = new Float64Array(n);
  const trialX = new Float64Array(n);
  const trialGradient = new Float64Array(n);
  let evaluations = 1;
  let fx = f(x, gradient);
  const objective = [fx];
  let gradientNorm = maxAbs(gradient);
  let stored = 0; // pairs held
  let newest = -1; // ring-buffer slot of the newest pair
  let stalled = 0;
  const finish = (stopReason: StopReason, iterations: number): LbfgsResult => ({
    x,
    converged: stopReason === 'gradient' || stopReason === 'objective',
    stopReason,
    iterations,
    evaluations,
    gradientNorm,
    objective,
  });
  if (!Number.isFinite(fx)) return finish('line-search', 0);
  if (gradientNorm <= options.tolerance) return finish('gradient', 0);

  for (let iteration = 1; iteration <= options.maxIterations; iteration += 1) {
    // Two-loop recursion: direction = −H·g.
    for (let i = 0; i < n; i += 1) direction[i] = -gradient[i]!;
    for (let back = 0; back < stored; back += 1) {
      const k = (newest - back + memory) % memory;
      alpha[k] = rho[k]! * dot(s[k]!, direction);
      axpy(-alpha[k], y[k]!, direction);
    }
    if (stored > 0) {
      const yy = dot(y[newest]!, y[newest]!);
      scale(direction, 1 / (rho[newest]! * yy)); // H0 = (sᵀy / yᵀy)·I
    }
    for (let forward = stored - 1; forward >= 0; forward -= 1) {
      const k = (newest - forward + memory) % memory;
      const beta = rho[k]! * dot(y[k]!, direction);
      axpy(alpha[k]! - beta, s[k]!, direction);
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding on a flat objective): restart from steepest descent.
      for (let i = 0; i < n; i += 1) direction[i] = -gradient[i]!;
      stored = 0;
      slope = dot(gradient, direction);
    }
    // First step: scaled so it moves x by about 1 (no curvature known yet); later the unit step.
    const firstStep = stored === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const search = lineSearch(f, x, fx, slope, direction, firstStep, trialX, trialGradient);
    evaluations += search.evaluations;
    if (search.step === 0) return finish('line-search', iteration - 1);

    // Keep the new pair s = Δx, y = Δg (only when the curvature is positive, so H stays positive definite).
    const slot = (newest + 1) % memory;
    const sk = s[slot]!;
    const yk = y[slot]!;
    for (let i = 0; i < n; i += 1) {
      sk[i] = trialX[i]! - x[i]!;
      yk[i] = trialGradient[i]! - gradient[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-16 * dot(yk, yk)) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, memory);
    }
    x.set(trialX);
    gradient.set(trialGradient);
    const previous = fx;
    fx = search.value;
    gradientNorm = maxAbs(gradient);
    objective.push(fx);
    options.onIteration?.(iteration, fx, gradientNorm);
    if (gradientNorm <= options.tolerance) return finish('gradient', iteration);
    stalled = previous - fx <= relativeChange * Math.max(Math.abs(fx), Math.abs(previous), 1e-300) ? stalled + 1 : 0;
    if (stalled >= stallIterations) return finish('objective', iteration);
  }
  return finish('max-iterations', options.maxIterations);
}

/**
 * A step along `direction` meeting the strong Wolfe conditions (bracket, then zoom by safeguarded
 * cubic interpolation). The point evaluated last is the one returned, left in trialX/trialGradient.
 * Step 0 means no acceptable step was found.
 */
function lineSearch(
  f: Objective,
  x: Float64Array,
  f0: number,
  slope0: number,
  direction: Float64Array,
  firstStep: number,
  trialX: Float64Array,
  trialGradient: Float64Array,
): { step: number; value: number; evaluations: number } {
  let evaluations = 0;
  const evaluate = (step: number) => {
    for (let i = 0; i < x.length; i += 1) trialX[i] = x[i]! + step * direction[i]!;
    evaluations += 1;
    const value = f(trialX, trialGradient);
    return { value: Number.isFinite(value) ? value : Infinity, slope: dot(trialGradient, direction) };
  };
  const sufficient = (step: number, value: number) => value <= f0 + C1 * step * slope0;
  const curvature = (slope: number) => Math.abs(slope) <= -C2 * slope0;

  const zoom = (
    lo: { step: number; value: number; slope: number },
    hi: { step: number; value: number; slope: number },
  ): { step: number; value: number } => {
    while (evaluations < MAX_LINE_EVALUATIONS) {
      const step = cubicMinimum(lo, hi);
      const at = evaluate(step);
      if (!sufficient(step, at.value) || at.value >= lo.value) hi = { step, ...at };
      else {
        if (curvature(at.slope)) return { step, value: at.value };
        if (at.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = { step, ...at };
      }
      if (Math.abs(hi.step - lo.step) <= 1e-12 * Math.max(1, lo.step)) break;
    }
    // Out of evaluations: settle for the best point that decreased f enough, if any.
    if (lo.step === 0) return { step: 0, value: f0 };
    const at = evaluate(lo.step);
    return { step: lo.step, value: at.value };
  };

  let previous = { step: 0, value: f0, slope: slope0 };
  let step = firstStep;
  while (evaluations < MAX_LINE_EVALUATIONS) {
    const at = evaluate(step);
    const current = { step, ...at };
    if (!sufficient(step, at.value) || (previous.step > 0 && at.value >= previous.value))
      return { ...zoom(previous, current), evaluations };
    if (curvature(at.slope)) return { step, value: at.value, evaluations };
    if (at.slope >= 0) return { ...zoom(current, previous), evaluations };
    previous = current;
    step *= 2;
  }
  return { step: 0, value: f0, evaluations };
}

/** The minimiser of the cubic through two points with slopes, kept inside the middle 80% of the interval. */
function cubicMinimum(
  a: { step: number; value: number; slope: number },
  b: { step: number; value: number; slope: number },
): number {
  const low = Math.min(a.step, b.step);
  const high = Math.max(a.step, b.step);
  const margin = 0.1 * (high - low);
  let step = (a.step + b.step) / 2;
  if (Number.isFinite(b.value)) {
    const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
    const root = d1 * d1 - a.slope * b.slope;
    if (root >= 0) {
      const d2 = Math.sign(b.step - a.step) * Math.sqrt(root);
      const candidate = b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
      if (Number.isFinite(candidate)) step = candidate;
    }
  }
  return Math.min(high - margin, Math.max(low + margin, step));
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(factor: number, from: Float64Array, into: Float64Array): void {
  for (let i = 0; i < into.length; i += 1) into[i]! += factor * from[i]!;
}

function scale(values: Float64Array, factor: number): void {
  for (let i = 0; i < values.length; i += 1) values[i]! *= factor;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i += 1) max = Math.max(max, Math.abs(values[i]!));
  return max;
}
