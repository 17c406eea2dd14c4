import * as fs from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export type CsvCell = string | number | boolean | null | undefined;

/** Numbers as JavaScript prints them (shortest round-trip); NaN and missing as an empty cell. */
export function formatCsvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** The shortest decimal that reads back as the same float32 (0.1f → `0.1`, not 0.100000001…). */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return '';
  const target = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(target.toPrecision(digits)));
    if (Math.fround(Number(text)) === target) return text;
  }
  return String(Number(target.toPrecision(9)));
}

/** One RFC 4180 record for the cells, ended by LF (which every reader accepts). */
export function formatCsvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(formatCsvCell).join(',')}\n`;
}

/** A CSV layout: its header and how one item becomes a row. */
export interface CsvLayout<T> {
  readonly header: readonly string[];
  toRow(item: T): readonly CsvCell[];
}

/**
 * Writes a header and the rows of `items` to a file path or a writable stream, honouring
 * back-pressure so that a long export never sits whole in memory. Returns the row count.
 */
export async function writeCsv<T>(
  target: string | Writable,
  layout: CsvLayout<T>,
  items: Iterable<T> | AsyncIterable<T>,
): Promise<number> {
  const stream = typeof target === 'string' ? fs.createWriteStream(target) : target;
  let rows = 0;
  try {
    const write = async (line: string): Promise<void> => {
      if (!stream.write(line)) await once(stream, 'drain');
    };
    await write(formatCsvRow(layout.header));
    for await (const item of items) {
      await write(formatCsvRow(layout.toRow(item)));
      rows++;
    }
  } finally {
    if (typeof target === 'string') {
      stream.end();
      await once(stream, 'finish');
    }
  }
  return rows;
}

/** Everything `writeCsv` would write, as one string (small outputs, tests, HTTP bodies). */
export function formatCsv<T>(layout: CsvLayout<T>, items: Iterable<T>): string {
  let text = formatCsvRow(layout.header);
  for (const item of items) text += formatCsvRow(layout.toRow(item));
  return text;
}
