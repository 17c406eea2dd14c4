import { randomUUID } from 'node:crypto';
import { loadConfig } from '@fleetfm/config';
import { InfluxDB, Point } from '@influxdata/influxdb-client';

interface SmokeRow {
  readonly _field: string;
  readonly _time: string;
  readonly _value: number;
  readonly vehicle: string;
}

// Proves the InfluxDB that scripts/services starts (or the one INFLUX_URL names) accepts a write
// through the v2 client and answers a Flux query with it. No mocks.
describe('InfluxDB server (real)', () => {
  const config = loadConfig().influx;
  if (!config) throw new Error('INFLUX_URL is not set; the integration global setup sets it');

  const client = new InfluxDB({ url: config.url, token: config.token, timeout: 10_000 });
  // A tag unique to this run keeps reruns against the same database independent.
  const run = randomUUID();

  it('writes a point with WriteApi and reads it back with Flux', async () => {
    const at = new Date();
    const writeApi = client.getWriteApi(config.org, config.bucket, 'ms');
    writeApi.writePoint(
      new Point('fleetfm_smoke')
        .tag('run', run)
        .tag('vehicle', 'veh-001')
        .floatField('speed_kph', 42.5)
        .timestamp(at),
    );
    await writeApi.close();

    const flux = `from(bucket: "${config.bucket}")
      |> range(start: -1h, stop: 1h)
      |> filter(fn: (r) => r._measurement == "fleetfm_smoke" and r.run == "${run}")`;
    const rows = await client.getQueryApi(config.org).collectRows<SmokeRow>(flux);

    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ _field: 'speed_kph', _value: 42.5, vehicle: 'veh-001' });
    expect(new Date(rows[0]._time).getTime()).toBe(at.getTime());
  }, 30_000);
});
