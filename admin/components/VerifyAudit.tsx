import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, H3, Text } from '@adminjs/design-system';

const api = new ApiClient();

interface Report {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  firstBad?: number;
  problem?: string;
}

interface Last {
  seq: number;
  at: string;
  by: string;
  report: Report;
}

const ReportView: React.FC<{ report: Report }> = ({ report }) => (
  <Box
    mt="lg"
    p="lg"
    style={{ border: `2px solid ${report.ok ? '#2E7D32' : '#C0392B'}`, borderRadius: 6 }}
    data-testid="verify-report"
    data-ok={String(report.ok)}
  >
    <Text fontWeight="bold" mb="sm">
      {report.ok
        ? `Intact: ${report.checked} events verified.`
        : `Broken at event ${report.firstBad}: ${report.problem}.`}
    </Text>
    {!report.ok ? (
      <Text mb="sm">
        Events 1 to {report.checked} are intact. Open event {report.firstBad} and its neighbours, and tell an admin.
      </Text>
    ) : null}
    <Text variant="sm">
      Head (keep it outside ModelDesk, e.g. in a ticket; pass it to <code>verify-audit --anchor</code> later):
    </Text>
    <Text variant="sm" style={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-testid="verify-head">
      {report.head.seq}:{report.head.hash}
    </Text>
  </Box>
);

/** The auditor's tamper check: walks the whole hash chain on the server and shows what it found. */
const VerifyAudit: React.FC<ActionProps> = ({ resource }) => {
  const [last, setLast] = useState<Last | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'verify' })
      .then((response) => setLast((response.data as { last: Last | null }).last))
      .catch(() => undefined);
  }, []);
  const run = async () => {
    setBusy(true);
    try {
      const response = await api.resourceAction({
        resourceId: resource.id,
        actionName: 'verify',
        method: 'post',
        data: {},
      });
      const data = response.data as { report?: Report; notice?: { message: string; type: 'success' | 'error' } };
      if (data.notice) addNotice(data.notice);
      if (data.report) setReport(data.report);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box variant="white" data-testid="verify-audit">
      <H3>Verify the audit chain</H3>
      <Text mb="lg">
        Every event's hash covers its content and the previous event's hash, and the database refuses changes and
        deletions. This check recomputes every hash in order and reports the first event that is missing, changed,
        inserted or out of order, and whether events were cut off at the end. The check itself is recorded in the log.
      </Text>
      {/* A check just run replaces "last verified" (it is the newest one): the page never says "not verified" beside a result. */}
      {report ? null : last ? (
        <Text mb="lg" data-testid="verify-last">
          Last verified {new Date(last.at).toLocaleString()} by {last.by}:{' '}
          {last.report.ok ? `intact (${last.report.checked} events)` : `broken at event ${last.report.firstBad}`}.
        </Text>
      ) : (
        <Text mb="lg" data-testid="verify-never">
          Not verified yet.
        </Text>
      )}
      <Button variant="contained" onClick={run} disabled={busy} data-testid="verify-run">
        {busy ? 'Verifying…' : 'Verify now'}
      </Button>
      {report ? <ReportView report={report} /> : null}
    </Box>
  );
};

export default VerifyAudit;
