import type { ResourceWithOptions } from 'adminjs';
import { AuditEvent } from '../models/audit-event.js';
import { withAccess } from '../admin/access.js';
import { ConsoleResource } from '../admin/adapter/console-resource.js';
import type { CustomFilters } from '../admin/adapter/custom-filters.js';
import { Navigation } from '../admin/navigation.js';
import { Components, jsonShow } from '../admin/components.js';
import { verifyAudit } from '../admin/actions/verify-audit/index.js';
import { exportAudit } from '../admin/actions/export-audit/index.js';
import { withChangeSetPage } from '../admin/actions/change-set-changes/index.js';
import { AuditFilter, auditFilterWhere } from '../src/audit/audit-filter.js';

/**
 * The list's record-id and full-text filters follow the same rules as the export (src/audit/audit-filter.ts).
 * The resource matches exactly, not as text containing it: it is what a role's rows are scoped by
 * (recordEventsOnly), an id rather than words.
 */
const auditEventFilters: CustomFilters = {
  resource: (value) => ({ resource: String(value) }),
  recordIds: (value) => auditFilterWhere(AuditFilter.parse({ recordId: String(value) })),
  q: (value) => auditFilterWhere(AuditFilter.parse({ q: String(value) })),
};

const oneLine = { components: { list: Components.TextCell } } as const;

export const auditEventResource = (): ResourceWithOptions => ({
  resource: new ConsoleResource(AuditEvent, { customFilters: auditEventFilters }),
  options: {
    id: 'auditEvents',
    navigation: Navigation.audit,
    listProperties: ['seq', 'at', 'actorLabel', 'actorRole', 'action', 'resource', 'outcome', 'reason'],
    filterProperties: ['q', 'actorLabel', 'actorRole', 'action', 'resource', 'recordIds', 'outcome', 'at'],
    showProperties: [
      'seq',
      'at',
      'actorLabel',
      'actorRole',
      'action',
      'resource',
      'recordIds',
      'changes',
      'outcome',
      'reason',
      'selection',
      'actorType',
      'actorId',
      'before',
      'after',
      'ip',
      'userAgent',
      'requestId',
      'prevHash',
      'hash',
    ],
    editProperties: [],
    sort: { sortBy: 'seq', direction: 'desc' },
    properties: {
      seq: { isTitle: true, isId: true, description: 'Position in the chain; gap-free.' },
      q: {
        type: 'string',
        description: 'Anywhere in the event: actor, action, ids, reason, before and after values.',
        isVisible: { list: false, show: false, edit: false, filter: true },
      },
      // List cells on one line (the reason on two): an email or a date wrapped into four lines made
      // every row tall while the table had room to spare.
      at: { ...oneLine, description: 'When it happened (server time, UTC).' },
      actorLabel: {
        ...oneLine,
        description: "Who: a user's email, key:<prefix> for an API key, cli:<os user>, or system.",
      },
      actorRole: { ...oneLine, description: 'The role the actor had at the time.' },
      action: { ...oneLine, description: 'What, as resource.verb (e.g. records.update, auth.login).' },
      recordIds: {
        type: 'string',
        description: 'The rows affected; bulk actions list the selection instead. Filter: one id.',
      },
      selection: {
        ...jsonShow,
        description: 'For bulk actions: the filter and count; for logins: the attempted email.',
      },
      changes: {
        components: { show: Components.AuditDiff },
        isVisible: { list: false, show: true, edit: false, filter: false },
        description:
          'Before and after, field by field, changed values highlighted; for a change to records, every record it changed (paged), with export and revert.',
      },
      // Events that recorded a change-set show it under "Changes" instead of the raw JSON.
      before: {
        components: { show: Components.AuditValue },
        description: 'Changed fields before (secrets are never recorded).',
      },
      after: { components: { show: Components.AuditValue }, description: 'Changed fields after.' },
      changeSet: {
        ...jsonShow,
        isVisible: { list: false, show: true, edit: false, filter: false },
        description:
          "For a change to records: the change-set's id, record count, fields and the sha256 digest of every before and after row (this event's hash covers it; verify-audit recomputes it).",
      },
      resource: { ...oneLine, description: 'The kind of thing acted on (e.g. records, models, users, auth).' },
      actorType: {
        description:
          'user (signed in to the console), api_key, cli (a command on the server), system (scheduled or automatic) or anonymous (not signed in).',
      },
      actorId: { description: "The user's or API key's row id (empty for the CLI and the system)." },
      ip: {
        description:
          'The client address the request came from (behind a proxy: the forwarded one when TRUST_PROXY is on).',
      },
      userAgent: { description: 'The browser or client program that sent the request, as it named itself.' },
      requestId: {
        description: "The request's id, also in the server log lines of that request (x-request-id header).",
      },
      outcome: {
        components: { list: Components.StatusBadgeCell },
        description: 'success, denied (not allowed) or failed (allowed but went wrong).',
      },
      reason: {
        components: { list: Components.TextCell },
        custom: { lines: 2 },
        description: 'Why it was denied or failed.',
      },
      prevHash: { description: 'Hash of the previous event: links the chain.' },
      hash: { description: 'SHA-256 over this event and the previous hash; any edit breaks it.' },
    },
    actions: withAccess('auditEvents', [], {
      show: { after: withChangeSetPage },
      verify: verifyAudit,
      export: exportAudit,
    }),
  },
});
