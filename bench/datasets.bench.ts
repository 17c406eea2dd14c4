import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Prng } from '@fleetfm/simulator';
import {
  CorpusReader,
  CorpusWriter,
  cholesky,
  covarianceMatrix,
  readCsvSeriesFile,
  sampleKernelSynth,
} from '@fleetfm/datasets';
import { median, type Benchmark, type BenchMetric } from './harness';

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const ROWS = 200_000;
const SERIES = 2000;
const SERIES_LENGTH = 1024;
const REPEATS = 3;

const bench: Benchmark = {
  name: 'datasets',
  description: 'CSV series reading, Cholesky/KernelSynth cost, corpus shard write/read throughput',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-bench-datasets-'));
    const metrics: BenchMetric[] = [];
    try {
      // CSV: ISO time column + 4 numeric columns, some gaps.
      const csv = path.join(dir, 'data.csv');
      const lines = ['date,speed,accel,soc,"note, quoted"'];
      const t0 = Date.UTC(2024, 0, 1);
      for (let i = 0; i < ROWS; i++) {
        const ts = new Date(t0 + i * 1000).toISOString();
        lines.push(
          `${ts},${(i % 300) / 10},${i % 7 === 0 ? '' : ((i % 11) - 5) / 4},${80 - i / 1e4},x`,
        );
      }
      fs.writeFileSync(csv, `${lines.join('\n')}\n`);
      const mb = fs.statSync(csv).size / 1e6;
      const csvMs: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        csvMs.push(
          await timeAsync(() =>
            readCsvSeriesFile(csv, { columns: ['speed', 'accel', 'soc'], timeColumn: 'date' }),
          ),
        );
      }
      metrics.push(
        { metric: 'csv_read_mb_per_s', unit: 'MB/s', value: mb / (median(csvMs) / 1000) },
        { metric: 'csv_read_rows_per_s', unit: 'rows/s', value: ROWS / (median(csvMs) / 1000) },
      );

      // Cholesky and a full KernelSynth draw at the Chronos length.
      const k = covarianceMatrix({ kind: 'rbf', lengthScale: 0.1 }, SERIES_LENGTH);
      for (let i = 0; i < SERIES_LENGTH; i++) k[i * SERIES_LENGTH + i] += 1e-6;
      const cholMs = Array.from({ length: REPEATS }, () => time(() => cholesky(k, SERIES_LENGTH)));
      metrics.push({ metric: 'cholesky_1024_ms', unit: 'ms', value: median(cholMs) });
      const prng = new Prng(1);
      const synthMs = Array.from({ length: REPEATS }, () =>
        time(() => sampleKernelSynth(prng, { length: SERIES_LENGTH })),
      );
      const synth256Ms = Array.from({ length: REPEATS }, () =>
        time(() => sampleKernelSynth(prng, { length: 256 })),
      );
      metrics.push(
        { metric: 'kernel_synth_1024_ms_per_series', unit: 'ms', value: median(synthMs) },
        { metric: 'kernel_synth_256_ms_per_series', unit: 'ms', value: median(synth256Ms) },
      );

      // Corpus: 2000 series × 1024 float32 (8 MB of values) into shards of 500.
      const values = Array.from({ length: SERIES }, (_, i) =>
        Float32Array.from({ length: SERIES_LENGTH }, (_, j) => i + j),
      );
      const valueMb = (SERIES * SERIES_LENGTH * 4) / 1e6;
      const writeMs: number[] = [];
      const readMs: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const out = path.join(dir, `corpus-${r}`);
        writeMs.push(
          await timeAsync(async () => {
            const writer = await CorpusWriter.create(out, { maxSeriesPerShard: 500, seed: r });
            for (let i = 0; i < SERIES; i++) {
              await writer.add({
                channel: 'speed_mps',
                driverId: `d${i % 40}`,
                freqS: 1,
                group: `t${i}`,
                id: `s${i}`,
                source: 'sim',
                values: values[i],
                vehicleId: `v${i % 30}`,
              });
            }
            await writer.finish();
          }),
        );
        readMs.push(
          await timeAsync(async () => {
            let n = 0;
            for await (const rec of (await CorpusReader.open(out)).series()) n += rec.values.length;
            if (n !== SERIES * SERIES_LENGTH) throw new Error(`read ${n} values`);
          }),
        );
      }
      metrics.push(
        {
          metric: 'corpus_write_mb_per_s',
          unit: 'MB/s',
          value: valueMb / (median(writeMs) / 1000),
        },
        { metric: 'corpus_read_mb_per_s', unit: 'MB/s', value: valueMb / (median(readMs) / 1000) },
      );
      return {
        meta: {
          csvMb: mb,
          csvRows: ROWS,
          corpusSeries: SERIES,
          repeats: REPEATS,
          loadAverage: os.loadavg()[0],
          seriesLength: SERIES_LENGTH,
        },
        metrics,
        name: 'datasets',
      };
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  },
};

export default bench;
