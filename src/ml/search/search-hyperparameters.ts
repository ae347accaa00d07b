import type { FitRequest } from '../fit-pipeline.js';
import type { SoftmaxOptions } from '../softmax-regression.js';
import { l2ForC } from './cross-validate.js';
import type { SearchListener, SearchReport } from './search-report.js';
import { searchTabular } from './search-tabular.js';
import { searchText } from './search-text.js';

/** Keys of a fit's options that the search sets, not passed through to its fits. */
const SEARCHED = ['l2', 'minDf', 'maxFeatures'];

/**
 * Cross-validates on the request's train rows (its options without the search flag) and returns the options of the final fit on all of them:
 * the caller's, with l2 (from the chosen C and the number of train rows) and, for text, the chosen
 * vectoriser. The test rows are never looked at.
 */
export function searchHyperparameters(
  request: FitRequest,
  onStep?: SearchListener,
): { report: SearchReport; options: Record<string, unknown> } {
  const { options, train } = request;
  const solverOptions = Object.fromEntries(
    Object.entries(options).filter(([key]) => !SEARCHED.includes(key)),
  ) as Partial<SoftmaxOptions>;
  const report =
    request.task === 'text-classification'
      ? searchText(
          train.map((r) => ({ text: r.text ?? '', label: r.label })),
          options,
          solverOptions,
          onStep,
        )
      : searchTabular(
          request.schema,
          train.map((r) => ({ features: r.features ?? {}, label: r.label })),
          solverOptions,
          onStep,
        );
  const { C, ...vectoriser } = report.chosen;
  return { report, options: { ...options, ...vectoriser, l2: l2ForC(C, train.length) } };
}
