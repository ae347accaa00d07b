import React, { useEffect, useRef, useState } from 'react';
import { ApiClient, flat, type ShowPropertyProps, type RecordJSON } from 'adminjs';
import { Box, Label, Link, Text } from '@adminjs/design-system';
import { Bar } from 'react-chartjs-2';
import { PALETTE } from './chart-setup.js';
import { RevertLink } from './revert-link.js';

const api = new ApiClient();
const LIVE = ['queued', 'running'];

/** A job's live state on its show page: polls every second while it is queued or running. */
const JobProgress: React.FC<ShowPropertyProps> = ({ record: initial, resource }) => {
  const [record, setRecord] = useState<RecordJSON>(initial);
  // AdminJS first renders a record page with the page before's record when both ids are equal (a
  // model's Score action opening job 2 from model 2), then with the job it fetched: follow the prop.
  useEffect(() => setRecord(initial), [initial]);
  const params = record.params;
  const status = String(params.status);

  // The rest of the page (status, started at, result, attempts) was rendered from the first load:
  // reload it whenever the status moves (queued → running → succeeded), so the Status field never
  // says "Queued" beside a running progress.
  useEffect(() => {
    if (LIVE.includes(String(initial.params.status)) && status !== String(initial.params.status))
      window.location.reload();
  }, [status]);

  useEffect(() => {
    if (!LIVE.includes(status)) return undefined;
    const timer = setInterval(() => {
      api
        .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'show' })
        .then((response) => setRecord(response.data.record))
        .catch(() => undefined);
    }, 1_000);
    return () => clearInterval(timer);
  }, [status, record.id]);

  const done = Number(params.progressDone ?? 0);
  const total = Number(params.progressTotal ?? 0);
  const share = total > 0 ? Math.min(1, done / total) : status === 'succeeded' ? 1 : 0;
  const rate = useRate(done, status);
  const isScoring = params.kind === 'score';
  const unit = progressUnit(String(params.kind), params.phase ? String(params.phase) : null);
  const versionId: unknown = isScoring ? undefined : params['result.modelVersionId'];
  return (
    <Box mb="xl" data-testid="job-progress" data-status={status}>
      <Label>Progress</Label>
      <Text fontWeight="bold" mb="sm" data-testid="job-progress-text">
        {progressText(
          status,
          params.phase ? String(params.phase) : null,
          params.cancelRequested === true,
          unit,
          done,
          total,
        )}
      </Text>
      {Number(params.attempts) > 0 ? (
        <Text variant="sm" mb="sm" data-testid="job-attempt">
          Attempt {Number(params.attempts)}
        </Text>
      ) : null}
      {rate && status === 'running' && unit ? (
        <Text variant="sm" mb="sm" data-testid="job-rate">
          {unit.rate(rate)}
          {total > done ? `, about ${formatSeconds((total - done) / rate)} left` : ''}
        </Text>
      ) : null}
      <div style={{ background: '#E8E8EF', borderRadius: 4, height: 10, width: 360, overflow: 'hidden' }}>
        <div
          style={{
            background: status === 'failed' ? '#C0392B' : '#3040D6',
            height: 10,
            width: `${Math.round(share * 100)}%`,
            transition: 'width 0.3s',
          }}
        />
      </div>
      {params.error ? (
        <Text color="error" mt="sm">
          {String(params.error)}
        </Text>
      ) : null}
      {versionId ? (
        <Text mt="sm">
          New version:{' '}
          <Link href={`/admin/resources/modelVersions/records/${String(versionId)}/show`}>
            v{String(params['result.version'])}
          </Link>
          {params['result.accuracy'] != null
            ? `, test accuracy ${(Number(params['result.accuracy']) * 100).toFixed(1)}%`
            : ''}
        </Text>
      ) : null}
      {params['result.warning'] ? (
        <Text mt="sm" color="error" data-testid="job-warning">
          {String(params['result.warning'])}
        </Text>
      ) : null}
      {params['result.reviewed'] ? (
        <Text mt="sm" data-testid="job-reviewed">
          {String(params['result.reviewed'])}
        </Text>
      ) : null}
      {params['result.promotion.reason'] ? (
        <Text mt="sm" data-testid="job-promotion">
          {params['result.promotion.promoted'] ? 'Promoted to production' : 'Not promoted'}:{' '}
          {String(params['result.promotion.reason'])}
        </Text>
      ) : null}
      {status === 'succeeded' ? <ChangeSetOfJob params={params} /> : null}
      {isScoring && status === 'succeeded' ? (
        <ScoreSummary result={flat.get(params, 'result') as ScoreResultView} />
      ) : null}
    </Box>
  );
};

/** Jobs that changed records (a bulk edit, an import, a revert) name their change-set: say what it did, offer to undo it. */
const ChangeSetOfJob: React.FC<{ params: RecordJSON['params'] }> = ({ params }) => {
  const changeSetId = Number(params['result.changeSetId']);
  if (!Number.isInteger(changeSetId) || changeSetId <= 0) return null;
  const kind = String(params.kind);
  const what =
    kind === 'revert'
      ? `this revert (it puts back what it reverted)`
      : kind === 'import'
        ? 'this import (updated records get their earlier values, new ones are deleted)'
        : 'this bulk edit';
  return (
    <Box mt="lg" data-testid="job-change-set">
      {kind === 'revert' ? (
        <Text mb="sm" data-testid="job-revert-result">
          Reverted {Number(params['result.reverted'] ?? 0).toLocaleString('en')} records of change-set #
          {String(params['result.source.changeSetId'])}
          {params['result.source.auditSeq'] ? (
            <>
              {' '}
              (
              <Link href={`/admin/resources/auditEvents/records/${String(params['result.source.auditSeq'])}/show`}>
                event #{String(params['result.source.auditSeq'])}
              </Link>
              )
            </>
          ) : null}
          {Number(params['result.skipped'] ?? 0) > 0
            ? `; ${Number(params['result.skipped']).toLocaleString('en')} changed since were skipped`
            : ''}
          .
        </Text>
      ) : null}
      <Text>
        Every record it changed, before and after: change-set #{changeSetId}
        {params['result.auditSeq'] ? (
          <>
            {' '}
            in{' '}
            <Link href={`/admin/resources/auditEvents/records/${String(params['result.auditSeq'])}/show`}>
              audit event #{String(params['result.auditSeq'])}
            </Link>
          </>
        ) : null}
        .
      </Text>
      <RevertLink changeSetId={changeSetId} what={what} />
    </Box>
  );
};

interface ScoreResultView {
  model: string;
  version: number;
  modelVersionId: number;
  scored: number;
  invalid?: { count: number; firstIds?: number[]; reasons?: Record<string, number> };
  labelDistribution?: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
}

/** What a finished scoring job did: counts, speed, records it could not score, and the predicted labels as a chart. */
const ScoreSummary: React.FC<{ result: ScoreResultView }> = ({ result }) => {
  if (!result) return null;
  const labels = Object.keys(result.labelDistribution ?? {});
  const records = `/admin/resources/records?filters.scoredByVersionId=${result.modelVersionId}`;
  return (
    <Box mt="lg" data-testid="score-summary">
      <Text>
        Scored {Number(result.scored).toLocaleString()} records with {result.model}{' '}
        <Link href={`/admin/resources/modelVersions/records/${result.modelVersionId}/show`}>v{result.version}</Link> in{' '}
        {Number(result.seconds).toFixed(1)} s ({Number(result.rowsPerSecond).toLocaleString()} rows/s).{' '}
        <Link href={records}>Show the records it scored</Link>.
      </Text>
      {result.invalid && result.invalid.count > 0 ? (
        <Text color="error" mt="sm" data-testid="score-invalid">
          {result.invalid.count.toLocaleString()} record(s) could not be scored (first ids:{' '}
          {(result.invalid.firstIds ?? []).join(', ')}):{' '}
          {Object.entries(result.invalid.reasons ?? {})
            .map(([reason, count]) => `${reason} (${count})`)
            .join('; ')}
          . Fix their input and score them again.
        </Text>
      ) : null}
      {labels.length > 0 ? (
        <Box mt="lg" style={{ maxWidth: 520, height: 220 }} data-testid="chart-score-labels">
          <Bar
            data={{
              labels,
              datasets: [
                {
                  label: 'Predicted label',
                  data: labels.map((l) => result.labelDistribution![l] ?? 0),
                  backgroundColor: labels.map((_, i) => PALETTE[i % PALETTE.length]!),
                },
              ],
            }}
            options={{
              maintainAspectRatio: false,
              plugins: { legend: { display: false }, title: { display: true, text: 'Records per predicted label' } },
            }}
          />
        </Box>
      ) : null}
    </Box>
  );
};

/** What a job's done/total count: solver iterations while a model trains, records for the jobs that work through records. */
interface ProgressUnit {
  count: (done: number, total: number) => string;
  rate: (perSecond: number) => string;
}

/** The total is the iteration cap: the solver usually converges (and the job moves on) well before it. */
const ITERATIONS: ProgressUnit = {
  count: (done, total) => `iteration ${done.toLocaleString('en')} of at most ${total.toLocaleString('en')}`,
  rate: (perSecond) => `${perSecond >= 10 ? Math.round(perSecond) : perSecond.toFixed(1)} iterations/s`,
};
const RECORDS: ProgressUnit = {
  count: (done, total) => `${done.toLocaleString('en')} of ${total.toLocaleString('en')} records`,
  rate: (perSecond) => `${Math.round(perSecond).toLocaleString('en')} rows/s`,
};

/** Training counts iterations only in its "training" phase (its other phases are single steps); other jobs count records. */
function progressUnit(kind: string, phase: string | null): ProgressUnit | null {
  if (kind === 'train') return phase === 'training' ? ITERATIONS : null;
  return RECORDS;
}

const STATUS_WORDS: Readonly<Record<string, string>> = {
  queued: 'Queued: waiting for a worker to pick it up',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** One line that agrees with the Status field: "Running: training, iteration 3 of at most 8", "Running: 1,200 of 6,046 records". */
function progressText(
  status: string,
  phase: string | null,
  stopping: boolean,
  unit: ProgressUnit | null,
  done: number,
  total: number,
): string {
  const word = stopping && status === 'running' ? 'Stopping at its next step' : (STATUS_WORDS[status] ?? status);
  if (status !== 'running') return word;
  const parts = [phase, unit && total > 0 ? unit.count(done, total) : null].filter(Boolean);
  return parts.length > 0 ? `${word}: ${parts.join(', ')}` : word;
}

/** Units per second over this page's polls (the first sample is the baseline). */
function useRate(done: number, status: string): number | null {
  const first = useRef<{ done: number; at: number } | null>(null);
  if (status !== 'running') return null;
  const now = Date.now();
  if (!first.current || done < first.current.done) first.current = { done, at: now };
  const seconds = (now - first.current.at) / 1000;
  return seconds >= 1 && done > first.current.done ? (done - first.current.done) / seconds : null;
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5_400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}

export default JobProgress;
