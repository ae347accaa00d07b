import assert from 'node:assert/strict';
import { BaseProperty } from 'adminjs';
import { DataTypes } from 'sequelize';
import { fitsColumn } from '../../../../admin/adapter/column-types.js';
import { checkFilterValue, type FilterTarget } from '../../../../admin/adapter/filter-value.js';
import { listPage } from '../../../../admin/adapter/list-page.js';
import { InvalidInput } from '../../../../src/errors/domain-error.js';

const column = (
  path: string,
  type: 'string' | 'number' | 'datetime' | 'reference',
  columnType: unknown,
): FilterTarget => ({
  path,
  declared: null,
  column: new BaseProperty({ path, type }),
  columnType,
});

/** The InvalidInput a call throws, for its code and field. */
function refusal(work: () => unknown): InvalidInput {
  try {
    work();
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  assert.fail('expected an InvalidInput');
}

describe('console list filters: a value is checked against its column before it becomes SQL', () => {
  it('takes a value that fits the column, as text', () => {
    assert.equal(checkFilterValue(column('label', 'string', DataTypes.STRING), 'spam'), 'spam');
    assert.equal(checkFilterValue(column('datasetId', 'reference', DataTypes.INTEGER), '42'), '42');
    assert.equal(checkFilterValue(column('score', 'number', DataTypes.FLOAT), '0.5'), '0.5');
  });

  it('reads a date range as ISO text and an empty range as no condition', () => {
    assert.deepEqual(checkFilterValue(column('createdAt', 'datetime', DataTypes.DATE), { from: '2026-11-01' }), {
      from: '2026-11-01T00:00:00.000Z',
    });
    assert.equal(checkFilterValue(column('createdAt', 'datetime', DataTypes.DATE), { from: '', to: '' }), undefined);
  });

  it('refuses, naming the filter, a value the column cannot compare with', () => {
    const cases: Array<[FilterTarget, unknown, RegExp]> = [
      [
        column('datasetId', 'reference', DataTypes.INTEGER),
        '2147483648',
        /"datasetId" takes an id \(a whole number from -2147483648 to 2147483647\)/,
      ],
      [column('score', 'number', DataTypes.FLOAT), 'abc', /"score" takes a number such as 3.5/],
      [column('label', 'string', DataTypes.STRING), ['a', 'b'], /"label" takes one value, given once/],
      [column('label', 'string', DataTypes.STRING), 'x'.repeat(1_001), /at most 1000 characters/],
      [column('createdAt', 'datetime', DataTypes.DATE), 'yesterday', /"createdAt" takes a range/],
      [column('createdAt', 'datetime', DataTypes.DATE), { from: '2026-13-45' }, /from is not one/],
    ];
    for (const [target, value, message] of cases) {
      const error = refusal(() => checkFilterValue(target, value));
      assert.equal(error.code, 'list.filter');
      assert.match(error.message, message);
      assert.ok(error.fields && `filters.${target.path}` in error.fields, error.message);
    }
  });

  it('knows which URL values fit a key column', () => {
    assert.ok(fitsColumn(DataTypes.INTEGER, '2147483647'));
    assert.ok(!fitsColumn(DataTypes.INTEGER, '2147483648'));
    assert.ok(fitsColumn(DataTypes.BIGINT, '9223372036854775807'));
    assert.ok(!fitsColumn(DataTypes.INTEGER, '1e3'));
    assert.ok(fitsColumn(DataTypes.UUID, '0b7e2a6c-3f7d-4c1e-9a55-2f0c8d9e1a2b'));
    assert.ok(!fitsColumn(DataTypes.UUID, 'abc'));
    assert.ok(!fitsColumn(DataTypes.STRING, 'a\u0000b'));
  });
});

describe('console list pages: paging checked, and the id walk follows the sort', () => {
  const anyColumn = (sortBy: string) => sortBy;

  it('walks ids up only when sorted by the key ascending', () => {
    assert.equal(listPage({ sort: { sortBy: 'id', direction: 'asc' } }, 'id', anyColumn).walk, 'up');
    assert.equal(listPage({ sort: { sortBy: 'id', direction: 'desc' } }, 'id', anyColumn).walk, 'down');
    assert.equal(listPage({ sort: { sortBy: 'label', direction: 'asc' } }, 'id', anyColumn).walk, 'down');
    assert.deepEqual(listPage({ sort: { sortBy: 'label', direction: 'asc' } }, 'id', anyColumn).order, [
      ['label', 'ASC'],
    ]);
  });

  it('refuses a LIMIT or OFFSET that would be a SQL error', () => {
    assert.equal(refusal(() => listPage({ limit: Number.NaN }, 'id', anyColumn)).code, 'list.per_page');
    assert.equal(refusal(() => listPage({ offset: Number.POSITIVE_INFINITY }, 'id', anyColumn)).code, 'list.page');
  });
});
