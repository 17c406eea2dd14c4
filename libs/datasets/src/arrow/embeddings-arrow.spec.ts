import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import {
  decodeEmbeddingsArrow,
  encodeEmbeddingsArrow,
  writeEmbeddingsArrow,
} from './embeddings-arrow';

describe('embeddings Arrow IPC', () => {
  const rows = [
    { embedding: new Float32Array([1, 2, 3, 4]), series: 'speed', windowEnd: 63, windowStart: 0 },
    {
      embedding: new Float32Array([-1, 0.5, 0, 9]),
      series: 'accel',
      windowEnd: 127,
      windowStart: 64,
    },
  ];

  it('writes the schema series, window_start, window_end, FixedSizeList<Float32>[dim] embedding', () => {
    const table = tableFromIPC(encodeEmbeddingsArrow(rows, 'iso'));
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'series:Utf8',
      'window_start:Float64',
      'window_end:Float64',
      'embedding:FixedSizeList[4]<Float32>',
    ]);
    expect(table.numRows).toBe(2);
    expect(Array.from(table.getChild('embedding')?.get(1)?.toArray() ?? [])).toEqual([
      -1, 0.5, 0, 9,
    ]);
    expect(table.schema.metadata.get('fleetfm.time_kind')).toBe('iso');
  });

  it('round-trips through a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-emb-'));
    try {
      const file = path.join(dir, 'emb.arrow');
      writeEmbeddingsArrow(file, rows);
      // The IPC file format starts and ends with the ARROW1 magic.
      const bytes = fs.readFileSync(file);
      expect(bytes.subarray(0, 6).toString()).toBe('ARROW1');
      expect(decodeEmbeddingsArrow(bytes)).toEqual({ rows, timeKind: 'number' });
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });

  it('rejects embeddings of mixed dimension', () => {
    expect(() =>
      encodeEmbeddingsArrow([rows[0], { ...rows[1], embedding: new Float32Array(3) }]),
    ).toThrow('row 1 has 3 values, expected 4');
  });
});
