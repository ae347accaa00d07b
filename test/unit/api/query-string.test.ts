import assert from 'node:assert/strict';
import { InvalidInput } from '../../../src/errors/domain-error.js';
import { parseQueryString, prototypeSegment, searchOf } from '../../../src/api/validation.js';

describe('the query-string rule every route shares (API by key and session, the predict fast path, the console)', () => {
  it('reads plain parameters, + as a space and percent-encoded UTF-8', () => {
    assert.deepEqual(parseQueryString('alias=production&version=&q=a+b%20c%C3%A9&filters.createdAt~~from=2026-01-01'), {
      alias: 'production',
      version: '',
      q: 'a b cé',
      'filters.createdAt~~from': '2026-01-01',
    });
    assert.deepEqual(parseQueryString(''), {});
    assert.deepEqual(parseQueryString('a&&b=1'), { a: '', b: '1' });
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['alias=production&alias=staging', 'query.repeated', /"alias" is given more than once/],
    ['limit=5&limit=5', 'query.repeated', /"limit"/],
    ['sortBy[]=id', 'query.not_scalar', /"sortBy\[\]" is written as a list or an object.*sortBy=value/],
    ['filters[datasetId]=1', 'query.not_scalar', /filters\[datasetId\]/],
    ['__proto__[x]=1', 'query.forbidden_name', /__proto__/],
    ['filters.constructor.prototype.x=1', 'query.forbidden_name', /constructor/],
    ['a=%ff', 'query.bad_encoding', /not valid percent-encoded UTF-8/],
    ['%e0%80=1', 'query.bad_encoding', /UTF-8/],
    ['a=%', 'query.bad_encoding', /UTF-8/],
  ];
  for (const [query, code, message] of refusals) {
    it(`refuses ${query} with ${code}, naming the parameter`, () => {
      assert.throws(
        () => parseQueryString(query),
        (error: unknown) => error instanceof InvalidInput && error.code === code && message.test(error.message),
      );
    });
  }

  it('finds a prototype name in any part of a key path, and nothing in ordinary names', () => {
    for (const key of ['__proto__', 'a.__proto__.b', 'a[constructor][prototype]', 'features.prototype', 'x~~__proto__'])
      assert.ok(prototypeSegment(key), key);
    for (const key of ['features.body_mass_g', 'labels.0', 'constructors', 'proto', 'filters.createdAt~~from'])
      assert.equal(prototypeSegment(key), undefined, key);
  });

  it('takes the query string of a URL, without the fragment', () => {
    assert.equal(searchOf('/api/v1/x?a=1&b=2#frag'), 'a=1&b=2');
    assert.equal(searchOf('/api/v1/x'), '');
    assert.equal(searchOf(undefined), '');
  });
});
