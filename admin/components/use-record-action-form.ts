import { useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { useNavigate } from 'react-router';

const api = new ApiClient();

/**
 * Submits a custom record action's form with POST: shows the server's notice and follows its redirect
 * unless it reported an error (then the form stays, with what the user typed).
 */
export function useRecordActionForm(resourceId: string, recordId: string | undefined, actionName: string) {
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const submit = async (data: Record<string, string>) => {
    if (!recordId) return;
    setBusy(true);
    try {
      const response = await api.recordAction({ resourceId, recordId, actionName, method: 'post', data });
      if (response.data.notice) addNotice(response.data.notice);
      if (response.data.redirectUrl && response.data.notice?.type !== 'error') navigate(response.data.redirectUrl);
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}
