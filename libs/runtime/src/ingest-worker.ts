import { Logger } from '@nestjs/common';
import type { FleetConfig } from '@fleetfm/config';
import { IngestionService, ingestionOptionsFromConfig } from '@fleetfm/ingestion';
import { createTelemetryStream } from '@fleetfm/stream';
import { openTimeSeriesStore } from '@fleetfm/timeseries';
import { Lifecycle } from './lifecycle';

const METRICS_EVERY_MS = 10_000;

/**
 * An ingest worker: stream → validate → store → commit. Scales out as members of one consumer
 * group on Kafka. On the embedded stream it only sees what this same process publishes, so
 * there `fleetfm start` composes it with the simulator instead.
 */
export async function runIngestWorker(config: FleetConfig): Promise<void> {
  const logger = new Logger('ingest');
  const lifecycle = new Lifecycle();
  lifecycle.installSignalHandlers();
  const stream = await createTelemetryStream(config);
  const store = await openTimeSeriesStore(config);
  const ingestion = new IngestionService(stream, store, ingestionOptionsFromConfig(config), logger);
  await ingestion.start();
  // Also keeps the process alive while the stream is idle.
  const reporter = setInterval(() => {
    ingestion.metrics().then(
      (m) =>
        logger.log(
          `written=${m.samplesWritten} rejected=${m.itemsRejected} dead-lettered=${m.messagesDeadLettered} lag=${m.lag}`,
        ),
      (err: unknown) => logger.warn(`metrics unavailable: ${String(err)}`),
    );
  }, METRICS_EVERY_MS);
  lifecycle.onShutdown('ingest', async () => {
    clearInterval(reporter);
    await ingestion.stop();
  });
  lifecycle.onShutdown('stream', () => stream.close());
  lifecycle.onShutdown('store', () => store.close());
}
