import { Op } from 'sequelize';
import { DataRecord, Dataset, type Job } from '../../models/index.js';
import type { Actor } from '../access/actor.js';
import { decide } from '../access/decide.js';
import { recordFailure } from '../audit/with-audit.js';
import { Forbidden, InvalidInput } from '../errors/domain-error.js';
import { enqueueJob } from '../jobs/enqueue-job.js';
import type { RecordFilter, RecordSelection } from '../records/record-selection.js';
import { resolveVersion } from '../registry/resolve-version.js';
import { ScoreInput, type ScoreJobParams } from './score-input.js';
import { scoringWhere } from './scoring-where.js';

export interface QueuedScoring {
  job: Job;
  params: ScoreJobParams;
  /** Records the job will score, counted when it was queued. */
  matching: number;
}

/**
 * Checks a scoring request and queues it as a job: the role (models.score), the model and version (an
 * alias is resolved now), and a selection that matches records of the model's dataset. The job's
 * enqueue event in the audit log names who, which version and which selection.
 */
export async function queueScoring(actor: Actor, raw: ScoreInput): Promise<QueuedScoring> {
  const { params, matching } = await planScoring(actor, raw);
  const job = await enqueueJob(actor, 'score', { ...params, matching });
  return { job, params, matching };
}

/** The checks of `queueScoring` and what the job would do (version, selection, how many records), without queueing it. */
export async function planScoring(
  actor: Actor,
  raw: ScoreInput,
): Promise<{ params: ScoreJobParams; matching: number }> {
  const parsed = ScoreInput.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInput(
      'score.input',
      `Check the scoring request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}.`,
    );
  }
  const input = parsed.data;
  if (decide(actor, 'models', 'score') !== true) {
    const error = new Forbidden(
      'score.forbidden',
      'Your role may not run batch scoring; ask a data scientist or an admin.',
    );
    await recordFailure(
      actor,
      { action: 'jobs.enqueue', resource: 'jobs', selection: { kind: 'score', model: input.model } },
      error,
    );
    throw error;
  }
  const { model, version, alias } = await resolveVersion(input.model, input);
  let selection: RecordSelection = input.selection ?? { filter: { datasetId: model.datasetId } };
  if ('filter' in selection) {
    if (selection.filter.datasetId !== undefined && selection.filter.datasetId !== model.datasetId) {
      throw new InvalidInput(
        'score.other_dataset',
        `Model "${model.name}" reads dataset ${model.datasetId}, not dataset ${selection.filter.datasetId}: filter on its dataset or choose a model of dataset ${selection.filter.datasetId}.`,
      );
    }
    selection = { filter: { ...selection.filter, datasetId: model.datasetId } };
  } else {
    // Ticked records: every one must be the model's to score; silently skipping some would surprise.
    const foreign =
      selection.ids.length -
      (await DataRecord.count({ where: { id: { [Op.in]: selection.ids }, datasetId: model.datasetId } }));
    if (foreign > 0) {
      throw new InvalidInput(
        'score.other_dataset',
        `${foreign} of the ${selection.ids.length} ticked records ${foreign === 1 ? 'is' : 'are'} not in dataset ${model.datasetId}, which model "${model.name}" reads (or no longer exist): tick records of that dataset only, or choose a model of theirs.`,
      );
    }
  }
  const params: ScoreJobParams = {
    model: model.name,
    modelId: model.id,
    modelVersionId: version.id,
    version: version.version,
    alias,
    datasetId: model.datasetId,
    selection,
  };
  const dataset = (await Dataset.findByPk(model.datasetId, { attributes: ['name', 'labels'] }))!;
  if ('filter' in selection) checkFilterLabels(selection.filter, dataset);
  const matching = await DataRecord.count({ where: scoringWhere(params) });
  if (matching === 0) {
    throw new InvalidInput(
      'score.nothing_selected',
      'ids' in selection
        ? `None of the ticked records can be scored any more (deleted meanwhile?): reload the list and tick them again.`
        : `No records of dataset ${dataset.name} (which model "${model.name}" reads) match ${filterInWords(selection.filter)}: change the filter, or clear it to score the whole dataset.`,
    );
  }
  return { params, matching };
}

/** A label typed into a filter must be one of the dataset's: "adelie" matches nothing, and saying why beats "0 records". */
function checkFilterLabels(filter: RecordFilter, dataset: Pick<Dataset, 'name' | 'labels'>): void {
  for (const field of ['label', 'predictedLabel'] as const) {
    const value = filter[field];
    if (value === undefined || dataset.labels.length === 0 || dataset.labels.includes(value)) continue;
    throw new InvalidInput(
      'score.unknown_label',
      `"${value}" is not one of the labels of dataset ${dataset.name} (${dataset.labels.join(', ')}): pick one of them${field === 'predictedLabel' ? ' as the predicted label' : ''}.`,
      { [`filter.${field}`]: `not one of ${dataset.labels.join(', ')}` },
    );
  }
}

const FILTER_WORDS: Readonly<Record<keyof RecordFilter, string>> = {
  datasetId: 'dataset',
  split: 'split',
  label: 'label',
  predictedLabel: 'predicted label',
  tag: 'tag',
  text: 'text containing',
  scoredByVersionId: 'scored by version id',
  misclassified: 'misclassified',
  scoreFrom: 'score at least',
  scoreTo: 'score at most',
};

/** "label Adelie, split test" — a filter as a person would say it, not as JSON. */
function filterInWords(filter: RecordFilter): string {
  const parts = (Object.keys(FILTER_WORDS) as Array<keyof RecordFilter>)
    .filter((key) => key !== 'datasetId' && filter[key] !== undefined)
    .map((key) => `${FILTER_WORDS[key]} "${String(filter[key])}"`);
  return parts.length > 0 ? parts.join(', ') : 'the selection';
}
