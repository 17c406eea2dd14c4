import * as fs from 'node:fs';
import {
  Field,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { ValidationError } from '@fleetfm/domain';
import type { EmbeddingRow } from '../csv/output-layouts';
import type { TimeKind } from '../csv/time-format';
import {
  fixedSizeFloat32ListData,
  fixedSizeFloat32ListType,
  float32ListRow,
  float64Data,
  utf8Data,
} from './arrow-columns';

/** Schema metadata keys written with embeddings. */
export const EMBEDDING_METADATA = {
  dim: 'fleetfm.embedding_dim',
  timeKind: 'fleetfm.time_kind',
} as const;

/**
 * Embeddings as one Arrow IPC file (random-access "file" format, what pyarrow `ipc.open_file`
 * and `pandas.read_feather` read): `series` utf8, `window_start` / `window_end` float64 (on the
 * input's time axis; the `fleetfm.time_kind` metadata says whether they are epoch ms) and
 * `embedding` FixedSizeList<Float32>[dim].
 */
export function encodeEmbeddingsArrow(
  rows: readonly EmbeddingRow[],
  timeKind: TimeKind = 'number',
): Uint8Array {
  if (rows.length === 0) throw new ValidationError('no embeddings to write');
  const dim = rows[0].embedding.length;
  const fields = [
    new Field('series', new Utf8(), false),
    new Field('window_start', new Float64(), false),
    new Field('window_end', new Float64(), false),
    new Field('embedding', fixedSizeFloat32ListType(dim), false),
  ];
  const metadata = new Map([
    [EMBEDDING_METADATA.dim, String(dim)],
    [EMBEDDING_METADATA.timeKind, timeKind],
  ]);
  const data = makeData({
    type: new Struct(fields),
    length: rows.length,
    nullCount: 0,
    children: [
      utf8Data(rows.map((r) => r.series)),
      float64Data(Float64Array.from(rows, (r) => r.windowStart)),
      float64Data(Float64Array.from(rows, (r) => r.windowEnd)),
      fixedSizeFloat32ListData(
        rows.map((r) => r.embedding),
        dim,
      ),
    ],
  });
  const table = new Table([new RecordBatch(new Schema(fields, metadata), data)]);
  return tableToIPC(table, 'file');
}

export function writeEmbeddingsArrow(
  file: string,
  rows: readonly EmbeddingRow[],
  timeKind: TimeKind = 'number',
): void {
  fs.writeFileSync(file, encodeEmbeddingsArrow(rows, timeKind));
}

/** Reads what `encodeEmbeddingsArrow` wrote (embeddings are copied out of the IPC buffer). */
export function decodeEmbeddingsArrow(bytes: Uint8Array): {
  rows: EmbeddingRow[];
  timeKind: TimeKind;
} {
  const table = tableFromIPC(bytes);
  const series = table.getChild('series');
  const start = table.getChild('window_start');
  const end = table.getChild('window_end');
  const embedding = table.getChild('embedding');
  if (!series || !start || !end || !embedding) {
    throw new ValidationError(
      'not an embeddings file: expected series, window_start, window_end, embedding',
    );
  }
  const rows: EmbeddingRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    rows.push({
      series: String(series.get(i)),
      windowStart: Number(start.get(i)),
      windowEnd: Number(end.get(i)),
      embedding: float32ListRow(embedding, i).slice(),
    });
  }
  const timeKind = (table.schema.metadata.get(EMBEDDING_METADATA.timeKind) ?? 'number') as TimeKind;
  return { rows, timeKind };
}
