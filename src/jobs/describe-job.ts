import { Dataset, type Job } from '../../models/index.js';

const KIND_WORDS: Readonly<Record<string, string>> = { bulk_edit: 'bulk edit' };

/**
 * A job as a person names it: "train penguin-species", "score spam-filter v2", "import into
 * penguins": its kind and what it works on (the model, else the dataset), never its raw parameters.
 */
export async function describeJob(job: Pick<Job, 'kind' | 'params'>): Promise<string> {
  const params = (job.params ?? {}) as { model?: unknown; version?: unknown; datasetId?: unknown };
  const kind = KIND_WORDS[job.kind] ?? job.kind;
  if (typeof params.model === 'string')
    return `${kind} ${params.model}${job.kind === 'score' && params.version ? ` v${String(params.version)}` : ''}`;
  const datasetId = Number(params.datasetId);
  const dataset = Number.isInteger(datasetId) && datasetId > 0 ? await Dataset.findByPk(datasetId) : null;
  return dataset ? `${kind} ${job.kind === 'import' ? 'into ' : ''}${dataset.name}` : kind;
}
