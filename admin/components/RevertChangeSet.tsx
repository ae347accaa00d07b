import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { useLocation, useNavigate } from 'react-router';
import {
  Box,
  Button,
  H3,
  Link,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
} from '@adminjs/design-system';
import { actionWords, utcTime } from './change-value.js';
import type { RevertDoneView, RevertPreviewView } from './change-set-view.js';

const api = new ApiClient();

type Conflicts = 'skip' | 'overwrite';

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * "Revert…" of a change-set (from its audit event, a bulk edit's or an import's job page): the preview
 * says how many records go back and lists those changed since by someone else, the person chooses to
 * skip or overwrite them, reads what will happen, and confirms (POST, with the CSRF token). A large
 * revert continues as a job on its progress page; a small one ends with a message here.
 */
const RevertChangeSet: React.FC<ActionProps> = ({ resource, action }) => {
  const location = useLocation();
  const navigate = useNavigate();
  const addNotice = useNotice();
  const changeSetId = new URLSearchParams(location.search).get('changeSetId') ?? '';
  const [preview, setPreview] = useState<RevertPreviewView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflicts, setConflicts] = useState<Conflicts>('skip');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<RevertDoneView | null>(null);

  useEffect(() => {
    if (!/^\d+$/.test(changeSetId)) return;
    api
      .resourceAction({ resourceId: resource.id, actionName: action.name, params: { changeSetId } })
      .then((response) => {
        const answer = response.data as { preview?: RevertPreviewView; notice?: { message: string } };
        if (answer.preview) setPreview(answer.preview);
        else setError(answer.notice?.message ?? 'The preview could not be made.');
      })
      .catch((failure: unknown) => setError(messageOf(failure)));
  }, [changeSetId]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const response = await api.resourceAction({
        resourceId: resource.id,
        actionName: action.name,
        data: { changeSetId, conflicts },
      });
      const answer = response.data as {
        done?: RevertDoneView;
        notice?: { message: string; type: 'success' | 'error' };
        redirectUrl?: string;
      };
      if (answer.notice) addNotice(answer.notice);
      if (answer.notice?.type === 'error') setError(answer.notice.message);
      else if (answer.redirectUrl) navigate(answer.redirectUrl);
      else if (answer.done) setDone(answer.done);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  if (!/^\d+$/.test(changeSetId)) {
    return (
      <Box variant="white" data-testid="revert-change-set">
        <H3>Revert a change</H3>
        <Text>
          Open the change you want to undo, then choose &quot;Revert…&quot; there: on its audit event (Audit events, or
          the History panel of a record it changed), or on the job page of a bulk edit or an import.
        </Text>
      </Box>
    );
  }
  if (done) return <RevertDone done={done} sourceId={changeSetId} />;
  if (!preview) {
    return (
      <Box variant="white" data-testid="revert-change-set">
        <H3>Revert change-set #{changeSetId}</H3>
        {error ? <MessageBox variant="danger" message={error} /> : <Text>Working out what would change…</Text>}
      </Box>
    );
  }

  const going = preview.wouldRevert + (conflicts === 'overwrite' ? preview.conflicts.count : 0);
  const them = preview.conflicts.count === 1 ? 'it' : 'them';
  // The service decides by the change-set's size, not by how many records would still move.
  const asJob = preview.records > preview.jobThreshold;
  const event = preview.auditSeq ? (
    <Link href={`/admin/resources/auditEvents/records/${preview.auditSeq}/show`}>event #{preview.auditSeq}</Link>
  ) : (
    'its audit event'
  );
  return (
    <Box variant="white" data-testid="revert-change-set">
      <H3>
        Revert the {actionWords(preview.action)} of change-set #{preview.changeSetId}
      </H3>
      <Text mb="lg" data-testid="revert-summary">
        This change-set ({event}) changed {count(preview.records, 'record')} in{' '}
        {preview.fields.length ? preview.fields.join(', ') : 'no tracked field'}.{' '}
        <strong>{count(preview.wouldRevert, 'record')}</strong> would go back to the values they had before it
        {preview.alreadyReverted > 0
          ? `; ${count(preview.alreadyReverted, 'record')} already ${preview.alreadyReverted === 1 ? 'has' : 'have'} those values and ${preview.alreadyReverted === 1 ? 'is' : 'are'} left alone`
          : ''}
        .
      </Text>
      {preview.revertedBy ? (
        <MessageBox
          variant="info"
          mb="lg"
          data-testid="revert-reverted-before"
          message={`Already reverted by ${preview.revertedBy.by} on ${utcTime(preview.revertedBy.at)} (change-set #${preview.revertedBy.changeSetId}). Records it put back count as reverted already.`}
        />
      ) : null}
      {preview.missing > 0 ? (
        <Text mb="lg">
          {count(preview.missing, 'record')} of it no longer {preview.missing === 1 ? 'exists' : 'exist'} and{' '}
          {preview.missing === 1 ? 'is' : 'are'} left out.
        </Text>
      ) : null}
      {preview.refused ? (
        <MessageBox variant="danger" mb="lg" message={preview.refused} data-testid="revert-refused" />
      ) : null}
      {preview.conflicts.count > 0 ? (
        <Box mb="lg" data-testid="revert-conflicts">
          <Text mb="default">
            <strong>{count(preview.conflicts.count, 'record was', 'records were')} changed since</strong> by someone or
            something else. Reverting {them} would also undo that later change.
            {preview.conflicts.count > preview.conflicts.first.length
              ? ` The first ${preview.conflicts.first.length.toLocaleString('en')} are listed.`
              : ''}
          </Text>
          <Table>
            <TableHead>
              <TableRow>
                <TableCell>Record</TableCell>
                <TableCell>Fields changed since</TableCell>
                <TableCell>By</TableCell>
                <TableCell>When</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {preview.conflicts.first.map((c) => (
                <TableRow key={c.recordId} data-testid={`revert-conflict-${c.recordId}`}>
                  <TableCell>
                    <a href={`/admin/resources/records/records/${c.recordId}/show`}>{c.recordId}</a>
                  </TableCell>
                  <TableCell>{c.fields.join(', ')}</TableCell>
                  <TableCell>{c.by}</TableCell>
                  <TableCell>{utcTime(c.at)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box mt="lg" role="radiogroup" aria-label="Records changed since">
            <label style={{ display: 'block', marginBottom: 8 }}>
              <input
                type="radio"
                name="conflicts"
                value="skip"
                id="conflicts-skip"
                checked={conflicts === 'skip'}
                onChange={() => setConflicts('skip')}
              />{' '}
              <strong>Skip {them}</strong>: leave {them} as {preview.conflicts.count === 1 ? 'it is' : 'they are'} now
              (the later change stays).
            </label>
            <label style={{ display: 'block' }}>
              <input
                type="radio"
                name="conflicts"
                value="overwrite"
                id="conflicts-overwrite"
                checked={conflicts === 'overwrite'}
                onChange={() => setConflicts('overwrite')}
              />{' '}
              <strong>Overwrite {them}</strong>: put back the values from before this change-set, undoing the later
              change too.
            </label>
          </Box>
        </Box>
      ) : null}
      <Box mb="lg" p="lg" style={{ background: '#F6F7FB', borderRadius: 4 }} data-testid="revert-what-happens">
        <Text fontWeight="bold" mb="sm">
          What will happen
        </Text>
        <ul style={{ margin: 0, paddingLeft: 20, lineHeight: 1.6 }}>
          <li>
            {count(going, 'record')} {going === 1 ? 'gets' : 'get'} back{' '}
            {preview.fields.length ? preview.fields.join(', ') : 'their values'} as{' '}
            {going === 1 ? 'it was' : 'they were'} before change-set #{preview.changeSetId}
            {preview.action === 'records.import' || preview.action === 'records.create'
              ? '; records this change created are deleted (soft delete: an admin can restore them)'
              : ''}
            .
          </li>
          {preview.conflicts.count > 0 ? (
            <li>
              {count(preview.conflicts.count, 'record')} changed since{' '}
              {preview.conflicts.count === 1
                ? conflicts === 'skip'
                  ? 'is skipped: it keeps its current values'
                  : 'is overwritten as well'
                : conflicts === 'skip'
                  ? 'are skipped: they keep their current values'
                  : 'are overwritten as well'}
              .
            </li>
          ) : null}
          <li>
            All or nothing: the revert writes every record in one transaction
            {asJob
              ? `; with more than ${preview.jobThreshold.toLocaleString('en')} records it runs as a job, and you follow its progress on the job's page`
              : ''}
            .
          </li>
          <li>The revert is itself a change-set in the audit log, so it can be reverted in turn.</li>
        </ul>
      </Box>
      {error ? <MessageBox variant="danger" mb="lg" message={error} data-testid="revert-error" /> : null}
      <Button
        variant="contained"
        color="danger"
        disabled={busy || Boolean(preview.refused) || going === 0}
        onClick={() => void confirm()}
        data-testid="revert-confirm"
      >
        {going === 0 ? 'Nothing to revert' : `Revert ${count(going, 'record')}`}
      </Button>
    </Box>
  );
};

const RevertDone: React.FC<{ done: RevertDoneView; sourceId: string }> = ({ done, sourceId }) => (
  <Box variant="white" data-testid="revert-done">
    <H3>Change-set #{sourceId} reverted</H3>
    <MessageBox
      variant="success"
      mb="lg"
      message={`${count(done.reverted, 'record')} reverted${done.skipped ? `, ${count(done.skipped, 'record')} changed since skipped` : ''}${done.alreadyReverted ? `, ${count(done.alreadyReverted, 'record')} had their earlier values already` : ''}.`}
    />
    <Text>
      The revert is change-set #{done.changeSetId}, in the{' '}
      <Link href="/admin/resources/auditEvents?filters.action=records.revert" data-testid="revert-events">
        audit log
      </Link>{' '}
      and in the History of every record it put back; it can be reverted in turn.
    </Text>
  </Box>
);

function messageOf(failure: unknown): string {
  const body = (failure as { response?: { data?: { message?: unknown } } })?.response?.data;
  return typeof body?.message === 'string' ? body.message : 'The request failed: check your connection and try again.';
}

export default RevertChangeSet;
