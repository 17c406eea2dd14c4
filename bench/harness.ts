import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One measured number; `target` states the goal it is judged against, if any. */
export interface BenchMetric {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly pass?: boolean;
}

export interface BenchResult {
  readonly name: string;
  readonly metrics: readonly BenchMetric[];
  /** Free-form facts about the run (sizes, repetitions, backend). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A benchmark: `bench/<name>.bench.ts` default-exports one. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchResult>;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');

export function writeResult(result: BenchResult): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  const body = {
    ...result,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    at: new Date().toISOString(),
  };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

export function formatTable(result: BenchResult): string {
  const rows = result.metrics.map((m) => [
    m.metric,
    fmt(m.value),
    m.unit,
    m.target ?? '',
    m.pass === undefined ? '' : m.pass ? 'PASS' : 'FAIL',
  ]);
  const header = ['metric', 'value', 'unit', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [
    `== ${result.name}`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
