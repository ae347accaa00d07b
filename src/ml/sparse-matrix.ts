/**
 * Rows of (column, value) pairs in compressed sparse row form: TF-IDF rows hold only the words that
 * occur, so 6,000 emails × 20,000 words stay small. (Tabular rows are dense: see DenseMatrix.)
 */
export interface SparseMatrix {
  rows: number;
  cols: number;
  /** Row i's entries are at [indptr[i], indptr[i + 1]). */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** Every value of every row, row-major (tabular data: every column is present). */
export interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** What the trainers take: sparse for text, dense for tabular rows. */
export type DesignMatrix = SparseMatrix | DenseMatrix;

export const isDense = (matrix: DesignMatrix): matrix is DenseMatrix => 'data' in matrix;

export function selectRows<M extends DesignMatrix>(matrix: M, rowIds: ArrayLike<number>): M {
  return (isDense(matrix) ? selectDenseRows(matrix, rowIds) : selectSparseRows(matrix, rowIds)) as M;
}

function selectDenseRows(matrix: DenseMatrix, rowIds: ArrayLike<number>): DenseMatrix {
  const { cols } = matrix;
  const data = new Float64Array(rowIds.length * cols);
  for (let r = 0, at = 0; r < rowIds.length; r += 1) {
    for (let from = rowIds[r]! * cols, end = from + cols; from < end; from += 1, at += 1) data[at] = matrix.data[from]!;
  }
  return { rows: rowIds.length, cols, data };
}

function selectSparseRows(matrix: SparseMatrix, rowIds: ArrayLike<number>): SparseMatrix {
  let nnz = 0;
  for (let r = 0; r < rowIds.length; r += 1) nnz += matrix.indptr[rowIds[r]! + 1]! - matrix.indptr[rowIds[r]!]!;
  const indptr = new Int32Array(rowIds.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let r = 0; r < rowIds.length; r += 1) {
    const row = rowIds[r]!;
    for (let p = matrix.indptr[row]!; p < matrix.indptr[row + 1]!; p += 1) {
      indices[at] = matrix.indices[p]!;
      values[at] = matrix.values[p]!;
      at += 1;
    }
    indptr[r + 1] = at;
  }
  return { rows: rowIds.length, cols: matrix.cols, indptr, indices, values };
}
