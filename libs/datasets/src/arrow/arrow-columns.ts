import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  List,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type Vector,
} from 'apache-arrow';

/** A non-null utf8 column. */
export function utf8Data(values: readonly string[]): Data<Utf8> {
  return vectorFromArray(values as string[], new Utf8()).data[0];
}

/** A nullable utf8 column (null for absent labels such as a synthetic series' driver). */
export function nullableUtf8Data(values: readonly (string | null)[]): Data<Utf8> {
  return vectorFromArray(values as (string | null)[], new Utf8()).data[0];
}

export function float64Data(values: Float64Array): Data<Float64> {
  return makeData({ type: new Float64(), length: values.length, nullCount: 0, data: values });
}

export function float32ListType(): List<Float32> {
  return new List(new Field('item', new Float32(), false));
}

/** `List<Float32>` from variable-length series: one flat buffer plus offsets, no copies per row. */
export function float32ListData(rows: readonly Float32Array[]): Data<List<Float32>> {
  const offsets = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i] + rows[i].length;
  const flat = new Float32Array(offsets[rows.length]);
  for (let i = 0; i < rows.length; i++) flat.set(rows[i], offsets[i]);
  return makeData({
    type: float32ListType(),
    length: rows.length,
    nullCount: 0,
    valueOffsets: offsets,
    child: makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat }),
  });
}

export function fixedSizeFloat32ListType(dim: number): FixedSizeList<Float32> {
  return new FixedSizeList(dim, new Field('item', new Float32(), false));
}

/** `FixedSizeList<Float32>[dim]` from equal-length vectors. */
export function fixedSizeFloat32ListData(
  rows: readonly Float32Array[],
  dim: number,
): Data<FixedSizeList<Float32>> {
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim)
      throw new RangeError(`row ${i} has ${row.length} values, expected ${dim}`);
    flat.set(row, i * dim);
  });
  return makeData({
    type: fixedSizeFloat32ListType(dim),
    length: rows.length,
    nullCount: 0,
    child: makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat }),
  });
}

/**
 * Row `i` of a `List<Float32>` or `FixedSizeList<Float32>` column as a Float32Array view into the
 * IPC buffer (no copy; copy it if it must outlive the table).
 */
export function float32ListRow(column: Vector, row: number): Float32Array {
  let base = 0;
  for (const data of column.data) {
    if (row < base + data.length) {
      const child = data.children[0];
      const values = child.values as Float32Array;
      const i = row - base + data.offset;
      if (data.valueOffsets) {
        const offsets = data.valueOffsets as Int32Array;
        return values.subarray(child.offset + offsets[i], child.offset + offsets[i + 1]);
      }
      const dim = (data.type as FixedSizeList).listSize;
      return values.subarray(child.offset + i * dim, child.offset + (i + 1) * dim);
    }
    base += data.length;
  }
  throw new RangeError(`row ${row} is past the end of the column (${column.length} rows)`);
}
