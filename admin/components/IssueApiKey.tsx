import React, { useEffect, useState } from 'react';
import { ApiClient, useNotice, type ActionProps } from 'adminjs';
import { Box, Button, CheckBox, FormGroup, H3, Input, Label, MessageBox, Text } from '@adminjs/design-system';

const api = new ApiClient();

interface Issued {
  key: string;
  prefix: string;
  owner: string;
}

/**
 * "Issue API key": owner, purpose, scopes, optional rate limit and expiry. The key is shown here once,
 * after it was issued; only its hash is stored, so it cannot be shown again.
 */
const IssueApiKey: React.FC<ActionProps> = ({ resource }) => {
  const [values, setValues] = useState({ ownerEmail: '', name: '', rateLimit: '', expiresAt: '' });
  const [scopes, setScopes] = useState<Set<string>>(new Set(['predict']));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [issued, setIssued] = useState<Issued | undefined>();
  const [copied, setCopied] = useState<'copied' | 'failed' | undefined>();
  // The scopes and what each opens, as the server defines them (src/auth/api-keys/scopes.ts).
  const [scopeHelp, setScopeHelp] = useState<Array<[string, string]>>([]);
  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'issue' })
      .then((response) =>
        setScopeHelp(Object.entries((response.data as { scopes?: Record<string, string> }).scopes ?? {})),
      )
      .catch(() => setError('Could not load the list of scopes: reload the page.'));
  }, []);
  const addNotice = useNotice();
  const set = (name: keyof typeof values, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const toggle = (scope: string) =>
    setScopes((current) => {
      const next = new Set(current);
      if (next.has(scope)) next.delete(scope);
      else next.add(scope);
      return next;
    });

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const response = await api.resourceAction({
        resourceId: resource.id,
        actionName: 'issue',
        method: 'post',
        data: { ...values, scopes: [...scopes].join(',') },
      });
      const data = response.data as { notice?: { type?: string; message: string }; issued?: Issued };
      if (data.notice?.type === 'error') setError(data.notice.message);
      if (data.notice) addNotice(data.notice);
      if (data.issued) setIssued(data.issued);
    } catch {
      setError('The request failed: check your connection and try again.');
    } finally {
      setBusy(false);
    }
  };

  // The Clipboard API needs a secure context (HTTPS or localhost); over plain HTTP elsewhere the
  // browser's own copy command on the selected field still works.
  const copy = async () => {
    if (!issued) return;
    let done: boolean;
    try {
      await navigator.clipboard.writeText(issued.key);
      done = true;
    } catch {
      const field = document.getElementById('issued-key') as HTMLInputElement | null;
      field?.select();
      done = field !== null && document.execCommand('copy');
    }
    setCopied(done ? 'copied' : 'failed');
    if (done) setTimeout(() => setCopied(undefined), 3_000);
  };

  if (issued) {
    return (
      <Box variant="white" data-testid="api-key-issued">
        <H3>
          API key {issued.prefix} for {issued.owner}
        </H3>
        <MessageBox
          variant="warning"
          mb="lg"
          message="Copy the key now: it is shown only this once. ModelDesk keeps only its hash."
        />
        <Box flex alignItems="center">
          <Input
            id="issued-key"
            readOnly
            value={issued.key}
            width={1}
            data-testid="api-key-value"
            onFocus={(e: React.FocusEvent<HTMLInputElement>) => e.target.select()}
          />
          <Button type="button" ml="default" onClick={() => void copy()} data-testid="api-key-copy">
            {copied === 'copied' ? 'Copied' : 'Copy'}
          </Button>
        </Box>
        <Text variant="sm" mt="sm" role="status" data-testid="api-key-copy-status">
          {copied === 'copied' ? 'Copied to the clipboard.' : null}
          {copied === 'failed' ? 'The browser did not allow copying: select the key and press Ctrl+C (⌘C).' : null}
        </Text>
        <Text mt="lg">
          Use it as <code>Authorization: Bearer {issued.prefix}_…</code>. Try it in the API explorer at{' '}
          <a href="/api/docs">/api/docs</a> ("Authorize"), or with curl:
        </Text>
        <pre>{`curl -X POST ${window.location.origin}/api/v1/models/MODEL/predict \\\n  -H "Authorization: Bearer ${issued.key}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"instances": [...]}'`}</pre>
      </Box>
    );
  }

  return (
    <Box as="form" variant="white" onSubmit={submit} data-testid="issue-api-key-form">
      <H3>Issue an API key</H3>
      <Text mb="lg">
        A key acts for its owner, with the owner's role, and only within its scopes. It is shown once; revoke it from
        its page.
      </Text>
      {error ? <MessageBox variant="danger" mb="lg" message={error} data-testid="issue-api-key-error" /> : null}
      <FormGroup>
        <Label htmlFor="ownerEmail" required>
          Owner (email)
        </Label>
        <Input
          id="ownerEmail"
          value={values.ownerEmail}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('ownerEmail', e.target.value)}
          width={1}
        />
        <Text variant="sm" mt="sm">
          The user the key acts for; it can do no more than that user's role allows.
        </Text>
      </FormGroup>
      <FormGroup>
        <Label htmlFor="name" required>
          Purpose
        </Label>
        <Input
          id="name"
          value={values.name}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('name', e.target.value)}
          width={1}
        />
        <Text variant="sm" mt="sm">
          What the key is for, e.g. "fraud-service production" (1–100 characters).
        </Text>
      </FormGroup>
      <FormGroup>
        <Label>Scopes</Label>
        {scopeHelp.map(([scope, help]) => (
          <Box key={scope} flex alignItems="center" mb="sm">
            <CheckBox id={`scope-${scope}`} checked={scopes.has(scope)} onChange={() => toggle(scope)} />
            <Label inline htmlFor={`scope-${scope}`} ml="default">
              <code>{scope}</code>: {help}
            </Label>
          </Box>
        ))}
      </FormGroup>
      <FormGroup>
        <Label htmlFor="rateLimit">Rate limit (requests per minute)</Label>
        <Input
          id="rateLimit"
          value={values.rateLimit}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('rateLimit', e.target.value)}
        />
        <Text variant="sm" mt="sm">
          Empty: the server default (API_KEY_RATE_LIMIT).
        </Text>
      </FormGroup>
      <FormGroup>
        <Label htmlFor="expiresAt">Expires</Label>
        <Input
          id="expiresAt"
          type="date"
          value={values.expiresAt}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('expiresAt', e.target.value)}
        />
        <Text variant="sm" mt="sm">
          Empty: never. After this date the key is refused.
        </Text>
      </FormGroup>
      <Button variant="contained" type="submit" disabled={busy} data-testid="issue-api-key-submit">
        Issue key
      </Button>
    </Box>
  );
};

export default IssueApiKey;
