import { Logger } from '@nestjs/common';
import type { FleetConfig } from '@fleetfm/config';
import { createApiApp, listenApi } from '@fleetfm/http';
import { IngestionService, ingestionOptionsFromConfig } from '@fleetfm/ingestion';
import { createTelemetryStream } from '@fleetfm/stream';
import { openTimeSeriesStore } from '@fleetfm/timeseries';
import { drainLag } from './drain';
import { startFleetFeed } from './fleet-feed';
import { Lifecycle } from './lifecycle';
import { RuntimeInfoBuilder } from './runtime-info';
import { loadServingModel } from './serving-model.loader';

/** How long Ctrl-C waits for ingest to store what the stream already accepted. */
const DRAIN_TIMEOUT_MS = 60_000;

/**
 * Everything in one process: simulated fleet → stream → ingest → store, and the API with the
 * dashboard on top. Embedded adapters unless KAFKA_BROKERS / INFLUX_URL are set.
 */
export async function runAll(config: FleetConfig): Promise<void> {
  const logger = new Logger('fleetfm');
  const lifecycle = new Lifecycle();
  lifecycle.installSignalHandlers();

  const store = await openTimeSeriesStore(config);
  const stream = await createTelemetryStream(config);
  const ingestOptions = ingestionOptionsFromConfig(config);
  const ingestion = new IngestionService(stream, store, ingestOptions, logger);
  await ingestion.start();
  const feed =
    config.simulator.vehicles > 0
      ? startFleetFeed(stream, config, logger, config.sharedDataDir)
      : undefined;

  const model = await loadServingModel(config.modelDir, logger);

  const info = new RuntimeInfoBuilder()
    .adapter('stream', stream.kind)
    .adapter('store', store.kind)
    .component('ingest', () => ingestion.metrics())
    .component('model', () => model.status());
  if (feed) info.component('simulator', () => feed.status());
  const app = await createApiApp(
    { store, info: info.build(), model: model.serving },
    { logLevel: config.logLevel },
  );
  const url = await listenApi(app, config.http.host, config.http.port);

  lifecycle.onShutdown('simulator', async () => feed?.stop());
  lifecycle.onShutdown('ingest', async () => {
    const left = await drainLag(
      stream,
      ingestOptions.topic,
      ingestOptions.groupId,
      DRAIN_TIMEOUT_MS,
    );
    if (left > 0) logger.warn(`${left} messages were not ingested before the drain timeout`);
    await ingestion.stop();
  });
  lifecycle.onShutdown('api', () => app.close());
  lifecycle.onShutdown('stream', () => stream.close());
  lifecycle.onShutdown('store', () => store.close());
  lifecycle.onShutdown('summary', async () => {
    const m = await ingestion.metrics();
    const published = feed ? feed.status().samplesPublished : 0;
    console.log(
      `fleetfm: simulator published ${published} samples; ingest wrote ${m.samplesWritten}, rejected ${m.itemsRejected}`,
    );
  });

  const sim = feed
    ? `${config.simulator.vehicles} simulated vehicles at ${config.simulator.rateHz} Hz (x${config.simulator.timeScale} time)`
    : 'no simulator (SIM_VEHICLES=0)';
  console.log(
    [
      '',
      'FleetFM is running',
      `  Dashboard   ${url}/`,
      `  API docs    ${url}/docs`,
      `  Health      ${url}/health`,
      `  Telemetry   ${url}/v1/vehicles`,
      `  Fleet       ${sim}`,
      `  Adapters    stream=${stream.kind} store=${store.kind} data=${config.dataDir}`,
      `  Model       ${model.serving.port ? `${model.describe()} (forecasts at /v1/forecast)` : `none: ${model.serving.reason}`}`,
      '  Ctrl-C stops it without losing acknowledged data.',
      '',
    ].join('\n'),
  );
}
