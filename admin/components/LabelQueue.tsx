import React, { useCallback, useEffect, useRef, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { Box, Button, H3, MessageBox, Text, TextArea } from '@adminjs/design-system';

interface Probability {
  label: string;
  probability: number;
}
interface Item {
  position: number;
  recordId: number;
  priority: number | null;
  state: string;
  label: string | null;
  labelledByYou: boolean;
  record: { text: string | null; features: Record<string, unknown> | null; label: string | null; split: string };
  prediction: { predictedLabel: string; margin: number | null; probabilities: Probability[] } | null;
}
interface Work {
  queue: { id: number; name: string; strategy: string; secondReview: boolean; labels: string[] };
  mode: 'label' | 'review';
  item: Item | null;
  progress: {
    total: number;
    pending: number;
    labelled: number;
    skipped: number;
    reviewed: number;
    labelledByYou: number;
    lastLabelledByYou: number | null;
  };
}

const STRATEGY_NAMES: Record<string, string> = {
  least_margin: 'least margin first',
  highest_entropy: 'highest entropy first',
  misclassified: 'misclassified',
  disagreement: 'disagreement between versions',
  random: 'random sample',
  drift: 'drifted slice',
};

/** The console's CSRF token (double submit): API writes made with the session must carry it. */
const xsrfToken = () =>
  decodeURIComponent(
    document.cookie
      .split('; ')
      .find((c) => c.startsWith('XSRF-TOKEN='))
      ?.slice('XSRF-TOKEN='.length) ?? '',
  );

async function post(path: string, body?: unknown): Promise<Work> {
  const response = await fetch(`/api/v1${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'x-xsrf-token': xsrfToken(),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Work & { detail?: string };
  if (!response.ok) throw new Error(answer.detail ?? `The request failed (HTTP ${response.status}): try again.`);
  return answer;
}

/** How far the work of this mode is: labelled or skipped of all items; reviewed of all labels. */
const barShare = (mode: Work['mode'], p: Work['progress']) => {
  const [done, of] = mode === 'label' ? [p.labelled + p.skipped, p.total] : [p.reviewed, p.labelled];
  return of ? Math.round((100 * done) / of) : 0;
};

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT');

/**
 * The labeling page of a review queue (its `label` and `secondReview` actions): one record at a time,
 * large, with the model's probabilities and numbered label buttons. Keys: 1–9 pick a label, Enter
 * confirms, S skips, U undoes your last label. Second review: A (or Enter) accepts, R rejects (with a
 * comment). Every step is an API call with the console session; the server holds the claim.
 */
const LabelQueue: React.FC<ActionProps> = ({ record, action }) => {
  const queueId = record?.id ?? '';
  const mode: Work['mode'] = action.name === 'secondReview' ? 'review' : 'label';
  const [work, setWork] = useState<Work | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);

  const run = useCallback(
    async (step: () => Promise<Work>) => {
      if (busyRef.current) return;
      busyRef.current = true;
      setBusy(true);
      setError(null);
      try {
        const next = await step();
        setWork(next);
        setChosen(null);
        setComment('');
        // The keys act on the page again (not on the comment box a rejection used).
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      } catch (failure) {
        setError(failure instanceof Error ? failure.message : String(failure));
      } finally {
        busyRef.current = false;
        setBusy(false);
      }
    },
    [queueId],
  );
  const claim = () => post(`/review-queues/${queueId}/claim`, { mode });
  const item = work?.item ?? null;
  const itemPath = item ? `/review-queues/${queueId}/items/${item.position}` : '';

  const confirm = () => {
    if (!item || !chosen) return;
    void run(async () => {
      await post(`${itemPath}/label`, { label: chosen });
      return claim();
    });
  };
  const skip = () => {
    if (!item) return;
    void run(async () => {
      await post(`${itemPath}/skip`);
      return claim();
    });
  };
  const undo = () => {
    const last = work?.progress.lastLabelledByYou;
    if (!last) {
      setError('Nothing of yours to undo in this queue.');
      return;
    }
    void run(() => post(`/review-queues/${queueId}/items/${last}/undo`));
  };
  const judge = (verdict: 'accepted' | 'rejected') => {
    if (!item) return;
    if (verdict === 'rejected' && !comment.trim()) {
      setError('Say why you reject the label (type a comment), then press R again or click Reject.');
      document.querySelector<HTMLTextAreaElement>('[data-testid="review-comment"]')?.focus();
      return;
    }
    void run(async () => {
      await post(`${itemPath}/verdict`, { verdict, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      return claim();
    });
  };

  useEffect(() => {
    void run(claim);
  }, [queueId, mode]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) {
        if (event.key === 'Enter' && !event.shiftKey && mode === 'review') {
          event.preventDefault();
          judge('rejected');
        }
        return;
      }
      const labels = work?.queue.labels ?? [];
      if (mode === 'label' && /^[1-9]$/.test(event.key)) {
        const label = labels[Number(event.key) - 1];
        if (label !== undefined) setChosen(label);
      } else if (event.key === 'Enter') {
        event.preventDefault();
        if (mode === 'label') confirm();
        else judge('accepted');
      } else if (event.key === 's' || event.key === 'S') {
        if (mode === 'label') skip();
      } else if (event.key === 'u' || event.key === 'U') {
        if (mode === 'label') undo();
      } else if (event.key === 'a' || event.key === 'A') {
        if (mode === 'review') judge('accepted');
      } else if (event.key === 'r' || event.key === 'R') {
        // Not typed into the comment box that judge() may focus.
        event.preventDefault();
        if (mode === 'review') judge('rejected');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!work)
    return (
      <Box variant="card" data-testid="label-queue">
        {error ? <MessageBox variant="danger" message={error} /> : <Text>Loading the queue…</Text>}
      </Box>
    );

  const { progress, queue } = work;
  const done = progress.labelled + progress.skipped;
  const position = mode === 'label' ? Math.min(done + 1, progress.total) : progress.reviewed + 1;
  return (
    <Box variant="card" data-testid="label-queue" data-mode={mode} data-busy={busy ? 'true' : 'false'}>
      <Box flex flexDirection="row" justifyContent="space-between" alignItems="baseline" style={{ gap: 16 }}>
        <H3>
          {mode === 'label' ? 'Label' : 'Second review'}: {queue.name}
        </H3>
        <Text data-testid="label-progress" style={{ fontSize: 18, fontWeight: 600 }}>
          {item ? `${position} of ${mode === 'label' ? progress.total : progress.labelled}` : 'done'}
        </Text>
      </Box>
      <Text color="grey60" mb="lg">
        {STRATEGY_NAMES[queue.strategy] ?? queue.strategy} · {progress.labelled} labelled · {progress.skipped} skipped ·{' '}
        {progress.pending} pending{queue.secondReview ? ` · ${progress.reviewed} second-reviewed` : ''} · you:{' '}
        {progress.labelledByYou}
      </Text>
      <Box style={{ background: '#EEF0FB', height: 6 }} mb="xl">
        <Box
          style={{
            width: `${barShare(mode, progress)}%`,
            background: '#3040D6',
            height: 6,
          }}
        />
      </Box>
      {error && <MessageBox variant="danger" message={error} mb="lg" data-testid="label-error" />}
      {!item ? (
        <MessageBox
          variant="success"
          data-testid="label-done"
          message={
            mode === 'label'
              ? 'Nothing left to label in this queue for you: every item is labelled, skipped or held by another reviewer.'
              : 'Nothing left to review: every label of another reviewer has a verdict, or is held by someone else.'
          }
        />
      ) : (
        <Box
          data-testid="label-item"
          data-position={item.position}
          data-record={item.recordId}
          flex
          flexDirection="row"
          flexWrap="wrap"
          style={{ gap: 24 }}
        >
          {/* The record on the left, what to decide with on the right: both in view on a laptop screen. */}
          <Box style={{ flex: '2 1 480px', minWidth: 0 }}>
            <Text color="grey60" mb="sm">
              Record {item.recordId} · item {item.position} · {item.record.split} · current label:{' '}
              <strong data-testid="record-label">{item.record.label ?? 'none'}</strong>
              {item.priority !== null ? ` · priority ${item.priority.toFixed(3)}` : ''}
            </Text>
            <Box
              data-testid="label-record"
              style={{
                fontSize: 20,
                lineHeight: 1.5,
                whiteSpace: 'pre-wrap',
                overflowWrap: 'anywhere',
                maxHeight: '62vh',
                overflowY: 'auto',
                border: '1px solid #C0C0CA',
                padding: 16,
                marginBottom: 16,
              }}
            >
              {item.record.text ??
                Object.entries(item.record.features ?? {})
                  .map(([name, value]) => `${name}: ${value === null ? '—' : String(value)}`)
                  .join('\n')}
            </Box>
          </Box>
          <Box style={{ flex: '1 1 320px', minWidth: 0 }}>
            {item.prediction ? (
              <Box mb="lg" data-testid="label-probabilities">
                <Text mb="sm">
                  Model predicts <strong>{item.prediction.predictedLabel}</strong>
                  {item.prediction.margin !== null ? ` (margin ${item.prediction.margin.toFixed(3)})` : ''}
                </Text>
                {item.prediction.probabilities.map((p) => (
                  <Box key={p.label} flex flexDirection="row" alignItems="center" style={{ gap: 8, maxWidth: 560 }}>
                    <Text style={{ width: 160, overflow: 'hidden', textOverflow: 'ellipsis' }} title={p.label}>
                      {p.label}
                    </Text>
                    <Box style={{ flex: 1, background: '#EEF0FB', height: 10 }}>
                      <Box
                        style={{ width: `${Math.round(p.probability * 100)}%`, background: '#3040D6', height: 10 }}
                      />
                    </Box>
                    <Text style={{ width: 64, textAlign: 'right' }}>{(p.probability * 100).toFixed(1)}%</Text>
                  </Box>
                ))}
              </Box>
            ) : (
              <Text mb="lg" color="grey60">
                The queue&apos;s model version has no prediction for this record.
              </Text>
            )}
            {mode === 'label' ? (
              <>
                <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 8 }} mb="lg">
                  {queue.labels.map((label, i) => (
                    <Button
                      key={label}
                      type="button"
                      data-testid={`label-choice-${i + 1}`}
                      aria-pressed={chosen === label}
                      variant={chosen === label ? 'contained' : 'outlined'}
                      onClick={() => setChosen(label)}
                    >
                      {i < 9 ? `${i + 1} · ` : ''}
                      {label}
                    </Button>
                  ))}
                </Box>
                <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 8 }}>
                  <Button
                    type="button"
                    variant="contained"
                    data-testid="label-confirm"
                    disabled={!chosen || busy}
                    onClick={confirm}
                  >
                    Confirm {chosen ? `"${chosen}"` : ''} (Enter)
                  </Button>
                  <Button type="button" variant="outlined" data-testid="label-skip" disabled={busy} onClick={skip}>
                    Skip (S)
                  </Button>
                  <Button
                    type="button"
                    variant="text"
                    data-testid="label-undo"
                    disabled={busy || progress.lastLabelledByYou === null}
                    onClick={undo}
                  >
                    Undo my last label (U)
                  </Button>
                </Box>
              </>
            ) : (
              <>
                <Text mb="sm" style={{ fontSize: 18 }}>
                  Labelled <strong data-testid="review-label">{item.label}</strong> by another reviewer.
                </Text>
                <TextArea
                  id="review-comment"
                  data-testid="review-comment"
                  placeholder="Why (required to reject); Enter here rejects"
                  value={comment}
                  onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setComment(event.target.value)}
                  style={{ width: '100%', minHeight: 60 }}
                  mb="lg"
                />
                <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: 8 }}>
                  <Button
                    type="button"
                    variant="contained"
                    data-testid="review-accept"
                    disabled={busy}
                    onClick={() => judge('accepted')}
                  >
                    Accept (A or Enter)
                  </Button>
                  <Button
                    type="button"
                    variant="outlined"
                    data-testid="review-reject"
                    disabled={busy}
                    onClick={() => judge('rejected')}
                  >
                    Reject (R)
                  </Button>
                </Box>
              </>
            )}
            <Text mt="lg" color="grey60">
              Keys:{' '}
              {mode === 'label'
                ? '1–9 pick a label · Enter confirms · S skips · U undoes your last label'
                : 'A or Enter accepts · R rejects (type a comment first)'}
            </Text>
          </Box>
        </Box>
      )}
      {!item && mode === 'label' && progress.lastLabelledByYou !== null && (
        <Button type="button" variant="text" mt="lg" data-testid="label-undo" disabled={busy} onClick={undo}>
          Undo my last label (U)
        </Button>
      )}
    </Box>
  );
};

export default LabelQueue;
