import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TimeSeriesStore } from '@fleetfm/timeseries';
import { createApiApp } from '../bootstrap';
import type { ServingModel } from '../forecast/serving-model';

/** Strict mock of the store port: every method throws unless a test stubs it. */
export function strictStore(): jest.Mocked<TimeSeriesStore> {
  const fail = (name: string): jest.Mock =>
    jest.fn(() => {
      throw new Error(`unstubbed store.${name}`);
    });
  return {
    kind: 'embedded',
    close: fail('close'),
    downsample: fail('downsample'),
    health: fail('health'),
    latest: fail('latest'),
    listVehicles: fail('listVehicles'),
    query: fail('query'),
    write: fail('write'),
  } as unknown as jest.Mocked<TimeSeriesStore>;
}

/** The API over the given store (and model), initialised and ready for `app.inject`. */
export async function readyApp(
  store: TimeSeriesStore,
  model?: ServingModel,
): Promise<NestFastifyApplication> {
  const app = await createApiApp(
    {
      store,
      model,
      info: { version: 'test', startedAt: Date.now(), adapters: {}, components: [] },
    },
    { logLevel: 'error' },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
