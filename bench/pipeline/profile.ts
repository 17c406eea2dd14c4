import { formatTable } from '../harness';
import { runPipeline } from './run-pipeline';

/**
 * A smaller pipeline run that CPU-profiles the ingest thread during the throughput phase, for
 * finding where the time goes and for tuning experiments:
 *
 *   npm run build && node dist/bench/pipeline/profile.js [--isolated] [--workers=N] [KEY=VALUE...]
 *
 * writes /tmp/fleetfm-prof/*.cpuprofile (open in Chrome DevTools). --gzip publishes
 * gzip-compressed (the default is KAFKA_COMPRESSION=none); KEY=VALUE are config overrides such as INGEST_BATCH_SIZE=10000. (`node --cpu-prof` works too, but also profiles the
 * data generation and the ceilings.) Not run by `npm run bench`, which picks bench/*.bench.ts.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const overrides: Record<string, string> = {};
  for (const a of args.filter((x) => /^[A-Z_]+=/.test(x))) {
    const [key, value] = a.split('=', 2);
    overrides[key] = value;
  }
  const workers = Number(args.find((a) => a.startsWith('--workers='))?.split('=')[1] ?? 1);
  const result = await runPipeline({
    vehicles: 200,
    rateHz: 10,
    ticksPerMessage: 100,
    windows: { warmup: 1, throughput: 30, latency: 10 },
    markers: 200,
    seed: 7,
    latencySeconds: 4,
    singleFlightLines: 200_000,
    ingestWorkers: workers,
    ingestOverrides: overrides,
    profileDir: '/tmp/fleetfm-prof',
    services: args.includes('--isolated') ? 'isolated' : 'shared',
    ...(args.includes('--gzip') ? { producerCompression: 'gzip' as const } : {}),
  });
  console.log(formatTable(result));
  console.log(JSON.stringify(result.meta, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
