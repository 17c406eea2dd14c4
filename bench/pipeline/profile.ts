import { formatTable } from '../harness';
import { runPipeline } from './run-pipeline';

/**
 * A smaller pipeline run that CPU-profiles the ingest thread during the throughput phase:
 * `npm run build && node dist/bench/pipeline/profile.js` writes /tmp/fleetfm-prof/*.cpuprofile.
 * (`node --cpu-prof` works too but also profiles data generation and the ceilings.) Not picked
 * up by `npm run bench` (only bench/*.bench.ts are).
 */
async function main(): Promise<void> {
  const result = await runPipeline({
    vehicles: 200,
    rateHz: 10,
    ticksPerMessage: 100,
    windows: { warmup: 1, throughput: 30, latency: 10 },
    markers: 200,
    seed: 7,
    latencySeconds: 4,
    singleFlightLines: 200_000,
    profileDir: '/tmp/fleetfm-prof',
  });
  console.log(formatTable(result));
  console.log(JSON.stringify(result.meta, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
