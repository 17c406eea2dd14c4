import * as path from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives embedded defaults on an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(sut.dataDir).toBe(path.resolve('.fleetfm/data'));
    expect(sut.kafka).toBeUndefined();
    expect(sut.influx).toBeUndefined();
    expect(sut.simulator.rateHz).toBe(10);
  });

  it('switches to Kafka and InfluxDB when their URLs are set', () => {
    const sut = loadConfig({
      INFLUX_URL: 'http://127.0.0.1:8086',
      KAFKA_BROKERS: 'a:9092, b:9092',
    });
    expect(sut.kafka?.brokers).toEqual(['a:9092', 'b:9092']);
    expect(sut.influx?.bucket).toBe('fleetfm/autogen');
  });

  it('lets overrides win over the environment', () => {
    expect(loadConfig({ PORT: '1' }, { PORT: 2 }).http.port).toBe(2);
  });

  it('refuses to start with the list of every bad key', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', SIM_RATE_HZ: '-1', INFLUX_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((p) => p.key).sort();
    expect(keys).toEqual(['INFLUX_URL', 'PORT', 'SIM_RATE_HZ']);
    expect((error as ConfigError).message).toContain('PORT');
  });
});
