import { Logger } from '@nestjs/common';
import type { FleetConfig } from '@fleetfm/config';
import { streamFleet } from '@fleetfm/simulator';
import { createTelemetryStream } from '@fleetfm/stream';
import { startFleetFeed } from './fleet-feed';
import { Lifecycle } from './lifecycle';

const REPORT_EVERY_MS = 10_000;

/**
 * The simulated fleet alone. With Kafka configured it publishes there (production shape);
 * without, there is no other process to read an in-memory stream, so it writes the telemetry
 * to stdout as JSON lines (`fleetfm simulate > fleet.jsonl`), logging to stderr.
 */
export async function runSimulator(config: FleetConfig): Promise<void> {
  const lifecycle = new Lifecycle();
  lifecycle.installSignalHandlers();
  if (config.kafka === undefined) {
    const abort = new AbortController();
    const done = streamFleet(
      {
        vehicles: config.simulator.vehicles,
        rateHz: config.simulator.rateHz,
        timeScale: config.simulator.timeScale,
        seed: config.simulator.seed,
        anomalyRate: config.simulator.anomalyRate,
        startTs: Math.floor(Date.now() / 1000) * 1000,
        ...(config.sharedDataDir === undefined ? {} : { dataDir: config.sharedDataDir }),
      },
      async (samples) => {
        const text = samples.map((s) => JSON.stringify(s)).join('\n');
        if (!process.stdout.write(`${text}\n`)) {
          await new Promise((resolve) => process.stdout.once('drain', resolve));
        }
      },
      abort.signal,
    );
    lifecycle.onShutdown('simulator', async () => {
      abort.abort();
      await done;
    });
    console.error('fleetfm simulate: no KAFKA_BROKERS set, writing JSON lines to stdout');
    await done;
    return;
  }
  const logger = new Logger('simulator');
  const stream = await createTelemetryStream(config);
  const feed = startFleetFeed(stream, config, logger, config.sharedDataDir);
  const reporter = setInterval(() => {
    const s = feed.status();
    logger.log(`published ${s.samplesPublished} samples in ${s.messagesPublished} messages`);
  }, REPORT_EVERY_MS);
  lifecycle.onShutdown('simulator', async () => {
    clearInterval(reporter);
    await feed.stop();
  });
  lifecycle.onShutdown('stream', () => stream.close());
  logger.log(
    `${config.simulator.vehicles} vehicles at ${config.simulator.rateHz} Hz to ${stream.kind} topic ${config.stream.topic}`,
  );
}
