import assert from 'node:assert/strict';
import { listSearchOf } from '../../../../admin/actions/bulk-edit/list-search.js';

describe('listSearchOf', () => {
  it("keeps the list's filters, sort and page size and drops the selection", () => {
    const search = listSearchOf(
      '?filters.datasetId=2&filters.score~~from=0.4&recordIds=1,2&sortBy=id&direction=asc&perPage=25&redirectUrl=//evil',
    );
    const params = new URLSearchParams(search);
    assert.deepEqual(
      [...params.keys()],
      ['filters.datasetId', 'filters.score~~from', 'sortBy', 'direction', 'perPage', 'refresh'],
    );
    assert.equal(params.get('filters.score~~from'), '0.4');
  });

  it('answers the plain list for anything that is not a query', () => {
    assert.equal(listSearchOf(undefined), '?refresh=true');
    assert.equal(listSearchOf({ filters: 1 }), '?refresh=true');
  });
});
