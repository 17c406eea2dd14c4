/** A parsed CSV: lower-cased header names to columns of raw cells. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * Minimal CSV reader for our numeric data files (no quoting in them). Tolerates what the shared
 * files actually contain: a UTF-8 byte-order mark, CRLF line ends, a missing final newline and
 * blank lines.
 */
export function parseCsv(text: string): CsvTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length === 0) return { header: [], rows: [] };
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const rows = lines.slice(1).map((line) => line.split(','));
  return { header, rows };
}

/** Index of the first header among `names`, or -1. */
export function columnIndex(table: CsvTable, ...names: readonly string[]): number {
  for (const name of names) {
    const i = table.header.indexOf(name.toLowerCase());
    if (i >= 0) return i;
  }
  return -1;
}

/** A cell as a number; empty or malformed cells become `fallback` (the files leave grade blank). */
export function cellNumber(row: readonly string[], index: number, fallback = 0): number {
  if (index < 0 || index >= row.length) return fallback;
  const cell = row[index].trim();
  if (cell === '') return fallback;
  const value = Number(cell);
  return Number.isFinite(value) ? value : fallback;
}
