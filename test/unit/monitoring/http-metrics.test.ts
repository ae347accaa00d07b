import assert from 'node:assert/strict';
import { routeLabel } from '../../../src/monitoring/http-metrics.js';

const label = (originalUrl: string, path?: unknown) =>
  routeLabel({ originalUrl, route: path === undefined ? undefined : { path } }, ['/admin']);

describe('monitoring: routeLabel()', () => {
  it('labels a console request with its mount and route template, never the ids in it', () => {
    assert.equal(
      label('/admin/api/resources/records/records/42/show?x=1', '/api/resources/:resourceId/records/:recordId/:action'),
      '/admin/api/resources/:resourceId/records/:recordId/:action',
    );
    assert.equal(label('/ADMIN/Login', '/login'), '/admin/login');
    assert.equal(label('/admin/', '/'), '/admin');
  });

  it('labels an app-level route by its template', () => {
    assert.equal(label('/healthz', '/healthz'), '/healthz');
    assert.equal(label('/metrics?name[]=x', '/metrics'), '/metrics');
  });

  it('says "other" for requests no route matched, and for templates it cannot trust', () => {
    assert.equal(label('/no/such/page/123'), 'other');
    assert.equal(label('/admin/anything', '*'), 'other');
    assert.equal(label('/admin/x', /^\/x$/), 'other');
    assert.equal(label('/admin/users/alice@example.com', '/users/(.*)'), 'other');
    // A template that does not fit the path (it matched under a mount this function was not told of).
    assert.equal(
      label('/elsewhere/api/resources/records/actions/list', '/api/resources/:resourceId/actions/:action'),
      'other',
    );
  });
});
