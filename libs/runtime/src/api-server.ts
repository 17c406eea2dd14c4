import { Logger } from '@nestjs/common';
import type { FleetConfig } from '@fleetfm/config';
import { createApiApp, listenApi } from '@fleetfm/http';
import { openTimeSeriesStore } from '@fleetfm/timeseries';
import { Lifecycle } from './lifecycle';
import { RuntimeInfoBuilder } from './runtime-info';
import { loadServingModel } from './serving-model.loader';

/** The API and dashboard alone, over the configured store (stateless; scale out freely). */
export async function runApiServer(config: FleetConfig): Promise<void> {
  const lifecycle = new Lifecycle();
  lifecycle.installSignalHandlers();
  const store = await openTimeSeriesStore(config);
  const model = await loadServingModel(config.modelDir, new Logger('api'));
  const info = new RuntimeInfoBuilder()
    .adapter('store', store.kind)
    .component('model', () => model.status())
    .build();
  const app = await createApiApp(
    { store, info, model: model.serving },
    { logLevel: config.logLevel },
  );
  lifecycle.onShutdown('api', () => app.close());
  lifecycle.onShutdown('store', () => store.close());
  const url = await listenApi(app, config.http.host, config.http.port);
  console.log(`FleetFM API on ${url} (dashboard ${url}/, docs ${url}/docs)`);
}
