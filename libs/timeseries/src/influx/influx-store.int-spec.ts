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

/**
 * The contract runs in a database of its own (InfluxDB 1.x: created here, dropped after), so
 * whole-bucket queries such as listVehicles scan only this run's points, not every vehicle that
 * earlier test runs left in the shared database. Where the server refuses CREATE DATABASE (a 2.x
 * server, or no admin rights) the configured bucket is used, with unique vehicle ids as before.
 */
const contractDb = `fleetfm_contract_${Date.now().toString(36)}`;
async function influxQl(statement: string): Promise<boolean> {
  const url = `${connection.url.replace(/\/$/, '')}/query?q=${encodeURIComponent(statement)}`;
  const headers = connection.token ? { authorization: `Token ${connection.token}` } : undefined;
  const res = await fetch(url, { method: 'POST', headers }).catch(() => undefined);
  return res?.ok === true;
}
let contractConnection: Promise<InfluxStoreOptions> | undefined;
afterAll(async () => {
  if (contractConnection && (await contractConnection).bucket.startsWith(contractDb)) {
    await influxQl(`DROP DATABASE "${contractDb}"`);
  }
});

describeTimeSeriesStoreContract('influx', async () => {
  contractConnection ??= influxQl(`CREATE DATABASE "${contractDb}"`).then((created) =>
    created ? { ...connection, bucket: `${contractDb}/autogen` } : connection,
  );
  const options = await contractConnection;
  const store = new InfluxTimeSeriesStore(options);
  return {
    store,
    reopen: async () => new InfluxTimeSeriesStore(options),
    // Every contract test uses fresh vehicle ids, so the database needs no wiping between tests.
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
