/**
 * Rows of (column, value) pairs in compressed sparse row form. Tabular rows are stored with every
 * column present; TF-IDF rows only with the words that occur, so 6,000 emails × 20,000 words stay small.
 */
export interface SparseMatrix {
  rows: number;
  cols: number;
  /** Row i's entries are at [indptr[i], indptr[i + 1]). */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

export function denseToSparse(data: Float64Array, rows: number, cols: number): SparseMatrix {
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(rows * cols);
  for (let i = 0; i <= rows; i += 1) indptr[i] = i * cols;
  for (let i = 0; i < rows; i += 1) for (let j = 0; j < cols; j += 1) indices[i * cols + j] = j;
  return { rows, cols, indptr, indices, values: data };
}

export function selectRows(matrix: SparseMatrix, rowIds: ArrayLike<number>): SparseMatrix {
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
