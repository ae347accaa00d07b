import assert from 'node:assert/strict';
import type { Actor } from '../../../src/access/actor.js';
import { refusalMessage } from '../../../src/access/refusal-message.js';
import { RULES, RESOURCE_IDS } from '../../../src/access/rules.js';
import { Role } from '../../../src/access/roles.js';

const user = (role: Role): Actor => ({ type: 'user', id: 7, email: `${role}@example.com`, role });

describe('access: refusalMessage()', () => {
  it('names the role in words, the action in plain English and whom to ask', () => {
    assert.equal(
      refusalMessage(user('content_manager'), 'models', 'score'),
      'Your role (content manager) may not score datasets with models; ask a data scientist or an admin.',
    );
    assert.equal(
      refusalMessage(user('data_scientist'), 'records', 'new'),
      'Your role (data scientist) may not create records; ask a content manager or an admin.',
    );
    assert.equal(
      refusalMessage(user('data_scientist'), 'records', 'bulkEdit'),
      'Your role (data scientist) may not edit records in bulk; ask a content manager or an admin.',
    );
    assert.equal(
      refusalMessage(user('auditor'), 'modelAliases', 'rollback'),
      'Your role (auditor) may not roll back model aliases; ask a data scientist or an admin.',
    );
  });

  it('says when no role may do it, and speaks of the key owner for an API key', () => {
    assert.equal(
      refusalMessage(user('auditor'), 'auditEvents', 'delete'),
      'Your role (auditor) may not delete audit events; no role may.',
    );
    assert.equal(
      refusalMessage({ type: 'api_key', id: 1, prefix: 'md_x', ownerId: 2, role: 'auditor' }, 'records', 'edit'),
      "This API key acts with its owner's role (auditor), which may not edit records; ask a data scientist, a content manager or an admin.",
    );
    assert.equal(refusalMessage({ type: 'anonymous' }, 'records', 'list'), 'Sign in to list records.');
  });

  it('names the rows when the role may act on others but not these', () => {
    assert.equal(
      refusalMessage(user('data_scientist'), 'jobs', 'cancel', ['5']),
      'Your role (data scientist) may cancel jobs, but not #5; ask an admin.',
    );
    assert.equal(
      refusalMessage(user('admin'), 'users', 'delete', ['7']),
      'Your role (admin) may delete users, but not #7; ask another admin.',
    );
  });

  it('never shows an internal action or role name for any cell of the rule table', () => {
    for (const resource of RESOURCE_IDS)
      for (const action of Object.keys(RULES[resource]))
        for (const role of Role.options) {
          const message = refusalMessage(user(role), resource, action);
          assert.doesNotMatch(message, /[a-z][A-Z]|_|\bThe your\b|may not new\b/, `${resource}.${action}: ${message}`);
          assert.match(message, /^Your role \([a-z ]+\) may not [a-z].*; (ask|no role may)[^;]*\.$/);
        }
  });
});
