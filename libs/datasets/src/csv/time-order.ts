import { ValidationError } from '@fleetfm/domain';

/** Rows of a CSV put in time order: where each sorted row came from. */
export interface TimeOrder {
  /** order[i] = the input row that is i-th in time. */
  readonly order: Int32Array;
}

/**
 * The permutation that sorts rows by time (stable). Throws ValidationError naming both file lines
 * and the column when two rows share a time: which one holds the value is ambiguous.
 */
export function timeOrder(
  time: Float64Array,
  lines: Int32Array,
  column: string,
  format: (t: number) => string,
): TimeOrder {
  const order = Int32Array.from(time, (_, i) => i).sort((a, b) => time[a] - time[b] || a - b);
  for (let i = 1; i < order.length; i++) {
    if (time[order[i]] === time[order[i - 1]]) {
      const [a, b] = [lines[order[i - 1]], lines[order[i]]].sort((x, y) => x - y);
      throw new ValidationError(
        `rows ${a} and ${b}, column "${column}": the same time "${format(time[order[i]])}" appears twice`,
        { column, line: b },
      );
    }
  }
  return { order };
}

/** `values` rearranged by `order` (a new array of the same type). */
export function permute<T extends Float32Array | Float64Array | Int32Array>(
  values: T,
  order: Int32Array,
): T {
  const out = new (values.constructor as new (n: number) => T)(values.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}
