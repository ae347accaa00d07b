import assert from 'node:assert/strict';
import type { Actor } from '../../../src/access/actor.js';
import { decide } from '../../../src/access/decide.js';
import { RULES, RESOURCE_IDS } from '../../../src/access/rules.js';
import { Role } from '../../../src/access/roles.js';

const user = (role: Role, id = 7): Actor => ({ type: 'user', id, email: `${role}@example.com`, role });
const WRITES = ['new', 'edit', 'delete', 'bulkDelete'];

describe('access: decide()', () => {
  it('denies anything the table does not name', () => {
    assert.equal(decide(user('admin'), 'records', 'noSuchAction'), false);
    assert.equal(decide(user('admin'), 'noSuchResource', 'list'), false);
  });

  it('denies every action to an anonymous actor', () => {
    for (const resource of RESOURCE_IDS) {
      for (const action of Object.keys(RULES[resource]))
        assert.equal(decide({ type: 'anonymous' }, resource, action), false, `${resource}.${action}`);
    }
  });

  it('never lets an auditor write anything', () => {
    for (const resource of RESOURCE_IDS) {
      for (const action of WRITES)
        assert.equal(decide(user('auditor'), resource, action), false, `${resource}.${action}`);
    }
  });

  it('lets nobody change or delete audit events or model versions', () => {
    for (const role of Role.options) {
      for (const action of WRITES) {
        assert.equal(decide(user(role), 'auditEvents', action), false, `${role} auditEvents.${action}`);
        assert.equal(decide(user(role), 'modelVersions', action), false, `${role} modelVersions.${action}`);
      }
    }
  });

  it('keeps content managers away from models, users and API keys', () => {
    for (const resource of ['models', 'modelVersions', 'modelAliases', 'users', 'apiKeys']) {
      assert.equal(decide(user('content_manager'), resource, 'list'), false, resource);
    }
    assert.equal(decide(user('content_manager'), 'records', 'bulkDelete'), true);
  });

  it('shows content managers and data scientists the audit events on records only (to open and revert their own changes)', () => {
    for (const role of ['content_manager', 'data_scientist'] as const) {
      assert.deepEqual(decide(user(role), 'auditEvents', 'list'), { resource: 'records' }, role);
      assert.equal(decide(user(role), 'auditEvents', 'show', { seq: 1, resource: 'records' }), true, role);
      assert.equal(decide(user(role), 'auditEvents', 'show', { seq: 2, resource: 'users' }), false, role);
      assert.equal(decide(user(role), 'auditEvents', 'export'), false, role);
    }
    assert.equal(decide(user('auditor'), 'auditEvents', 'show', { seq: 2, resource: 'users' }), true);
  });

  it('lets admins, content managers and data scientists revert and restore (fields checked by the service), never an auditor', () => {
    for (const action of ['revert', 'restoreVersion']) {
      for (const role of ['admin', 'content_manager', 'data_scientist'] as const)
        assert.equal(decide(user(role), 'records', action), true, `${role} ${action}`);
      assert.equal(decide(user('auditor'), 'records', action), false, action);
    }
    assert.equal(decide(user('auditor'), 'records', 'history'), true);
  });

  it('lets a data scientist manage models but not users', () => {
    assert.equal(decide(user('data_scientist'), 'models', 'new'), true);
    assert.equal(decide(user('data_scientist'), 'users', 'list'), false);
    assert.equal(decide(user('data_scientist'), 'records', 'delete'), false);
  });

  it('scopes job lists to their owner for data scientists and content managers', () => {
    assert.deepEqual(decide(user('content_manager', 42), 'jobs', 'list'), { createdById: 42 });
    assert.equal(decide(user('content_manager', 42), 'jobs', 'show', { id: 1, createdById: 42 }), true);
    assert.equal(decide(user('content_manager', 42), 'jobs', 'show', { id: 2, createdById: 43 }), false);
    assert.equal(decide(user('admin', 42), 'jobs', 'show', { id: 2, createdById: 43 }), true);
  });

  it('shows API keys only to their owner, unless admin or auditor', () => {
    assert.deepEqual(decide(user('data_scientist', 5), 'apiKeys', 'list'), { ownerId: 5 });
    assert.equal(decide(user('data_scientist', 5), 'apiKeys', 'show', { id: 9, ownerId: 6 }), false);
  });

  it('does not let an admin delete their own account', () => {
    assert.equal(decide(user('admin', 3), 'users', 'delete', { id: 3 }), false);
    assert.equal(decide(user('admin', 3), 'users', 'delete', { id: 4 }), true);
  });

  it('treats the CLI and the system as admins', () => {
    assert.equal(decide({ type: 'cli', osUser: 'root' }, 'users', 'new'), true);
    assert.equal(decide({ type: 'system' }, 'datasets', 'new'), true);
  });
});
