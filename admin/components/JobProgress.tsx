import React, { useEffect, useState } from 'react';
import { ApiClient, type ShowPropertyProps, type RecordJSON } from 'adminjs';
import { Box, Label, Link, Text } from '@adminjs/design-system';

const api = new ApiClient();
const LIVE = ['queued', 'running'];

/** A job's live state on its show page: polls every second while it is queued or running. */
const JobProgress: React.FC<ShowPropertyProps> = ({ record: initial, resource }) => {
  const [record, setRecord] = useState<RecordJSON>(initial);
  const params = record.params;
  const status = String(params.status);

  // The rest of the page (status, result, attempts) was rendered from the first load: reload it once
  // the job has finished, so everything on screen agrees.
  useEffect(() => {
    if (LIVE.includes(String(initial.params.status)) && !LIVE.includes(status)) window.location.reload();
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
  const versionId = params['result.modelVersionId'];
  return (
    <Box mb="xl" data-testid="job-progress" data-status={status}>
      <Label>Progress</Label>
      <Text fontWeight="bold" mb="sm">
        {status}
        {params.phase ? `: ${String(params.phase)}` : ''} {total > 0 ? `(${done} of ${total})` : ''}
      </Text>
      <div style={{ background: '#E8E8EF', borderRadius: 4, height: 10, width: 360, overflow: 'hidden' }}>
        <div style={{ background: status === 'failed' ? '#C0392B' : '#3040D6', height: 10, width: `${Math.round(share * 100)}%`, transition: 'width 0.3s' }} />
      </div>
      {params.error ? <Text color="error" mt="sm">{String(params.error)}</Text> : null}
      {versionId ? (
        <Text mt="sm">
          New version: <Link href={`/admin/resources/modelVersions/records/${String(versionId)}/show`}>v{String(params['result.version'])}</Link>
          {params['result.accuracy'] != null ? `, test accuracy ${(Number(params['result.accuracy']) * 100).toFixed(1)}%` : ''}
        </Text>
      ) : null}
      {params['result.promotion.reason'] ? (
        <Text mt="sm" data-testid="job-promotion">
          {params['result.promotion.promoted'] ? 'Promoted to production' : 'Not promoted'}: {String(params['result.promotion.reason'])}
        </Text>
      ) : null}
    </Box>
  );
};

export default JobProgress;
