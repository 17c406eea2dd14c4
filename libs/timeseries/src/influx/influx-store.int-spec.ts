import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { loadConfig } from '@fleetfm/config';
import { UnavailableError, type TelemetrySample } from '@fleetfm/domain';
import { T0, describeTimeSeriesStoreContract } from '../contract/time-series-store.contract';
import { InfluxTimeSeriesStore, type InfluxStoreOptions } from './influx-time-series.store';

// Set by test/setup/services.global-setup.js (or by the caller, for an existing server).
const influx = loadConfig().influx;
if (influx === undefined)
  throw new Error('INFLUX_URL is not set; run through the integration project');
const connection: InfluxStoreOptions = { ...influx };

const INFLUX_SH = path.resolve(__dirname, '../../../../scripts/services/influx.sh');

describeTimeSeriesStoreContract('influx', async () => {
  const store = new InfluxTimeSeriesStore(connection);
  return {
    store,
    reopen: async () => new InfluxTimeSeriesStore(connection),
    // Every contract test uses fresh vehicle ids, so the shared database needs no wiping.
    cleanup: async () => undefined,
  };
});

/** A port that refuses connections: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sample = (vehicleId: string, ts: number): TelemetrySample => ({
  vehicleId,
  ts,
  signals: { speed_mps: 1 },
});

describe('InfluxTimeSeriesStore against unreachable servers', () => {
  it('fails a write with UnavailableError after bounded retries, quickly', async () => {
    const sut = new InfluxTimeSeriesStore({
      ...connection,
      url: `http://127.0.0.1:${await closedPort()}`,
      maxRetries: 3,
      retryBaseMs: 20,
    });
    const started = Date.now();
    try {
      const error = await sut.write([sample('unreachable', T0)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).message).toMatch(/ECONNREFUSED.*|after 4 attempts/);
      expect((error as UnavailableError).details).toEqual({ attempts: 4 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await sut.health()).toMatchObject({ ok: false, kind: 'influx' });
      await expect(sut.query({ vehicleId: 'x', from: T0, to: T0 + 1 })).rejects.toBeInstanceOf(
        UnavailableError,
      );
    } finally {
      await sut.close();
    }
  });
});

describe('InfluxTimeSeriesStore across an InfluxDB restart', () => {
  const influxSh = (command: 'start' | 'stop'): void => {
    execFileSync('bash', [INFLUX_SH, command], { stdio: 'ignore', timeout: 150_000 });
  };

  it('fails writes while InfluxDB is down and succeeds once it is back', async () => {
    const sut = new InfluxTimeSeriesStore({ ...connection, maxRetries: 1, retryBaseMs: 50 });
    const vehicleId = `restart-${Date.now().toString(36)}`;
    try {
      await sut.write([sample(vehicleId, T0)]);
      influxSh('stop');
      await expect(sut.write([sample(vehicleId, T0 + 1000)])).rejects.toBeInstanceOf(
        UnavailableError,
      );
      expect((await sut.health()).ok).toBe(false);
    } finally {
      influxSh('start');
    }
    try {
      await sut.write([sample(vehicleId, T0 + 2000)]);
      const frame = await sut.query({ vehicleId, from: T0, to: T0 + 3000 });
      expect(Array.from(frame.ts)).toEqual([T0, T0 + 2000]);
      expect((await sut.health()).ok).toBe(true);
    } finally {
      await sut.close();
    }
  }, 300_000);
});
