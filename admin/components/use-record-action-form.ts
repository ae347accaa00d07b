import { useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { useNavigate } from 'react-router';

const api = new ApiClient();

/**
 * Submits a custom record action's form with POST: shows the server's notice and follows its redirect
 * unless it reported an error (then the form stays, with what the user typed, and `error` holds the
 * message for the form to show). `data` may be FormData (multipart, for files); AdminJS's client sends
 * the CSRF header either way.
 */
export function useRecordActionForm(resourceId: string, recordId: string | undefined, actionName: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const addNotice = useNotice();
  const navigate = useNavigate();
  const submit = async (data: Record<string, string> | FormData) => {
    if (!recordId) return;
    setBusy(true);
    setError(undefined);
    try {
      const response = await api.recordAction({ resourceId, recordId, actionName, method: 'post', data });
      const notice = response.data.notice;
      if (notice) addNotice(notice);
      if (notice?.type === 'error') setError(notice.message);
      else if (response.data.redirectUrl) navigate(response.data.redirectUrl);
    } catch (failure) {
      // A refusal before the action ran (403, 413…): the server's JSON says why.
      const message = messageOf(failure);
      setError(message);
      addNotice({ type: 'error', message });
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

function messageOf(failure: unknown): string {
  const body = (failure as { response?: { data?: { message?: unknown } } })?.response?.data;
  return typeof body?.message === 'string' ? body.message : 'The request failed: check your connection and try again.';
}
