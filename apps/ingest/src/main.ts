import { Logger } from '@nestjs/common';
import { loadConfig } from '@fleetfm/config';
import { IngestionService, ingestionOptionsFromConfig } from '@fleetfm/ingestion';
import { createTelemetryStream } from '@fleetfm/stream';
import { openTimeSeriesStore } from '@fleetfm/timeseries';

const METRICS_EVERY_MS = 10_000;

/**
 * The ingest worker: stream → validate → store → commit. Scales out as members of one consumer
 * group on Kafka. On the embedded stream it only sees what is published in this same process,
 * so there it is composed by `fleetfm start` rather than run alone.
 */
async function main(): Promise<void> {
  const logger = new Logger('ingest');
  const config = loadConfig();
  const stream = await createTelemetryStream(config);
  const store = await openTimeSeriesStore(config);
  const ingestion = new IngestionService(stream, store, ingestionOptionsFromConfig(config), logger);
  await ingestion.start();

  // Also keeps the process alive while the stream is idle.
  const reporter = setInterval(() => {
    ingestion.metrics().then(
      (m) => logger.log(`written=${m.samplesWritten} rejected=${m.itemsRejected} lag=${m.lag}`),
      (err: unknown) => logger.warn(`metrics unavailable: ${String(err)}`),
    );
  }, METRICS_EVERY_MS);

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      logger.log(`${signal}: draining`);
      clearInterval(reporter);
      await ingestion.stop();
      await stream.close();
      await store.close();
      logger.log('stopped');
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((err: unknown) => {
  const error = err as Error;
  console.error(error?.name === 'ConfigError' ? `ingest: ${error.message}` : error);
  process.exit(1);
});
