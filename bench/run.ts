import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatTable, writeResult, type Benchmark } from './harness';

/** `npm run bench` runs every bench/<name>.bench.ts; `npm run bench -- <name>` runs one. */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .sort();
  const benches: Benchmark[] = files.map(
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (f) => (require(path.join(__dirname, f)) as { default: Benchmark }).default,
  );
  const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}`);
    console.error(`Available: ${benches.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? benches.filter((b) => wanted.includes(b.name)) : benches;
  for (const bench of selected) {
    console.log(`\n>> ${bench.name}: ${bench.description}`);
    const result = await bench.run();
    const file = writeResult(result);
    console.log(formatTable(result));
    console.log(`(written to ${path.relative(process.cwd(), file)})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
