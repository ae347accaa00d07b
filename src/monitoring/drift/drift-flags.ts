import type { DriftSlice } from '../../review/queue-filter.js';
import type { CountAggregate, DriftAggregates, NumericAggregate } from './drift-statistics.js';
import type { DriftThresholds } from './drift-thresholds.js';

/** A share of 0 in PSI would be ln(0): empty bins count as this share (the usual ε). */
export const PSI_EPSILON = 1e-4;

export type FeatureKind = 'number' | 'category' | 'length' | 'out_of_vocabulary';

export interface NumericFeatureDrift {
  feature: string;
  kind: Exclude<FeatureKind, 'category'>;
  reference: { values: number; missingShare: number };
  live: { values: number; missingShare: number };
  psi: number | null;
  ks: number | null;
  /** Bin i: [edges[i-1], edges[i]) with open ends; shares of each side's values. */
  edges: number[];
  bins: Array<{ from: number | null; to: number | null; reference: number; live: number }>;
  drifted: boolean;
  /** The bin that gained the most live share: "Queue this slice for review". */
  slice: DriftSlice | null;
}

export interface CategoryFeatureDrift {
  feature: string;
  kind: 'category';
  reference: { values: number; missingShare: number };
  live: { values: number; missingShare: number };
  psi: number | null;
  shares: Array<{ value: string; reference: number; live: number; change: number }>;
  drifted: boolean;
  slice: DriftSlice | null;
}

export type FeatureDrift = NumericFeatureDrift | CategoryFeatureDrift;

export interface LabelDrift {
  psi: number | null;
  shares: Array<{ label: string; reference: number; live: number; change: number }>;
  drifted: boolean;
}

export interface DriftFindings {
  features: FeatureDrift[];
  predictedLabels: LabelDrift;
  outOfVocabulary: { reference: number; live: number; change: number; drifted: boolean } | null;
  enoughLive: boolean;
  drifted: boolean;
  /** Why, in words: "beak_length_mm: PSI 0.41 ≥ 0.2". Empty when not drifted. */
  reasons: string[];
}

/** PSI = Σ (live − ref) · ln(live / ref) over shares, each share at least PSI_EPSILON. */
export function psi(reference: readonly number[], live: readonly number[]): number | null {
  const nr = reference.reduce((a, b) => a + b, 0);
  const nl = live.reduce((a, b) => a + b, 0);
  if (nr === 0 || nl === 0) return null;
  let sum = 0;
  for (let i = 0; i < reference.length; i += 1) {
    const r = Math.max(reference[i]! / nr, PSI_EPSILON);
    const l = Math.max((live[i] ?? 0) / nl, PSI_EPSILON);
    sum += (l - r) * Math.log(l / r);
  }
  return sum;
}

const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const round = (x: number) => Math.round(x * 1000) / 1000;

function numericDrift(n: NumericAggregate, thresholds: DriftThresholds): NumericFeatureDrift {
  const kind = n.feature === 'length' || n.feature === 'out_of_vocabulary' ? n.feature : 'number';
  const value = psi(n.referenceBins, n.liveBins);
  const nr = n.reference.values;
  const nl = n.live.values;
  const bins = n.referenceBins.map((r, i) => ({
    from: i === 0 ? null : n.edges[i - 1]!,
    to: i === n.edges.length ? null : n.edges[i]!,
    reference: share(r, nr),
    live: share(n.liveBins[i]!, nl),
  }));
  const drifted = (value !== null && value >= thresholds.psi) || (n.ks !== null && n.ks >= thresholds.ks);
  const gainer = bins.reduce<(typeof bins)[number] | null>(
    (best, b) => (b.live - b.reference > (best ? best.live - best.reference : 0) ? b : best),
    null,
  );
  return {
    feature: n.feature,
    kind,
    reference: { values: nr, missingShare: share(n.reference.missing, nr + n.reference.missing) },
    live: { values: nl, missingShare: share(n.live.missing, nl + n.live.missing) },
    psi: value,
    ks: n.ks,
    edges: n.edges,
    bins,
    drifted,
    // The bin that gained most; when none did (ties: a training side that is mostly one value, such as
    // an out-of-vocabulary rate of 0), the side of the KS point where the live records gathered.
    slice: gainer
      ? {
          feature: n.feature,
          ...(gainer.from === null ? {} : { min: gainer.from }),
          ...(gainer.to === null ? {} : { max: gainer.to }),
        }
      : n.ksSplit
        ? { feature: n.feature, ...(n.ksSplit.liveAbove ? { min: n.ksSplit.at } : { max: n.ksSplit.at }) }
        : null,
  };
}

function sharesOf(counts: readonly CountAggregate[]) {
  const present = counts.filter((c): c is CountAggregate & { value: string } => c.value !== null);
  const missing = counts.find((c) => c.value === null) ?? { reference: 0, live: 0 };
  const nr = present.reduce((a, c) => a + c.reference, 0);
  const nl = present.reduce((a, c) => a + c.live, 0);
  const shares = present
    .map((c) => ({
      value: c.value,
      reference: share(c.reference, nr),
      live: share(c.live, nl),
      change: share(c.live, nl) - share(c.reference, nr),
    }))
    .sort((a, b) => b.reference - a.reference || a.value.localeCompare(b.value));
  return {
    nr,
    nl,
    missing,
    shares,
    psi: psi(
      present.map((c) => c.reference),
      present.map((c) => c.live),
    ),
  };
}

function categoryDrift(feature: string, counts: readonly CountAggregate[], t: DriftThresholds): CategoryFeatureDrift {
  const { nr, nl, missing, shares, psi: value } = sharesOf(counts);
  const gainer = shares.reduce<(typeof shares)[number] | null>(
    (best, s) => (s.change > (best?.change ?? 0) ? s : best),
    null,
  );
  return {
    feature,
    kind: 'category',
    reference: { values: nr, missingShare: share(missing.reference, nr + missing.reference) },
    live: { values: nl, missingShare: share(missing.live, nl + missing.live) },
    psi: value,
    shares,
    drifted: value !== null && value >= t.psi,
    slice: gainer ? { feature, value: gainer.value } : null,
  };
}

/** Applies the model's thresholds to a version's aggregates. */
export function driftFindings(aggregates: DriftAggregates, thresholds: DriftThresholds): DriftFindings {
  const features: FeatureDrift[] = [
    ...aggregates.numeric.map((n) => numericDrift(n, thresholds)),
    ...aggregates.categories.map((c) => categoryDrift(c.feature, c.counts, thresholds)),
  ];
  const labels = sharesOf(aggregates.labels);
  const predictedLabels: LabelDrift = {
    psi: labels.psi,
    shares: labels.shares.map(({ value, ...rest }) => ({ label: value, ...rest })),
    drifted: labels.psi !== null && labels.psi >= thresholds.psi,
  };
  const tokens = aggregates.tokens;
  const oovRef = tokens ? share(tokens.reference.oov, tokens.reference.tokens) : 0;
  const oovLive = tokens ? share(tokens.live.oov, tokens.live.tokens) : 0;
  const outOfVocabulary =
    tokens && tokens.live.tokens > 0
      ? {
          reference: oovRef,
          live: oovLive,
          change: oovLive - oovRef,
          drifted: oovLive - oovRef >= thresholds.oovRateIncrease,
        }
      : null;
  const live = aggregates.totals.liveRecords + aggregates.totals.predictSamples;
  const enoughLive = live >= thresholds.minLiveRecords;
  const reasons: string[] = [];
  if (enoughLive) {
    for (const f of features) {
      if (!f.drifted) continue;
      const parts = [
        f.psi !== null && f.psi >= thresholds.psi ? `PSI ${round(f.psi)} ≥ ${thresholds.psi}` : null,
        f.kind !== 'category' && f.ks !== null && f.ks >= thresholds.ks ? `KS ${round(f.ks)} ≥ ${thresholds.ks}` : null,
      ].filter(Boolean);
      reasons.push(`${f.feature}: ${parts.join(', ')}`);
    }
    if (outOfVocabulary?.drifted)
      reasons.push(
        `out-of-vocabulary rate ${round(outOfVocabulary.live)} vs ${round(outOfVocabulary.reference)} in training (+${round(outOfVocabulary.change)} ≥ ${thresholds.oovRateIncrease})`,
      );
    if (predictedLabels.drifted)
      reasons.push(`predicted labels: PSI ${round(predictedLabels.psi!)} ≥ ${thresholds.psi}`);
  }
  return { features, predictedLabels, outOfVocabulary, enoughLive, drifted: reasons.length > 0, reasons };
}
