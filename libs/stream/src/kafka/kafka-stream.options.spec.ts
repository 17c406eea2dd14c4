import { resolveKafkaOptions } from './kafka-stream.options';

describe('resolveKafkaOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveKafkaOptions({ brokers: ['127.0.0.1:9092'] })).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'fleetfm',
      partitions: 6,
      replicationFactor: 1,
      logLevel: 'warn',
      compression: 'none',
      retryBackoffMs: 200,
      maxRetryBackoffMs: 10_000,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
    });
  });

  it.each([
    [{ brokers: [] }, /brokers/],
    [{ brokers: ['localhost'] }, /brokers/],
    [{ brokers: ['a:1'], partitions: 0 }, /partitions/],
    [{ brokers: ['a:1'], replicationFactor: 1.5 }, /replicationFactor/],
    [{ brokers: ['a:1'], heartbeatIntervalMs: 5000, sessionTimeoutMs: 5000 }, /heartbeat/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveKafkaOptions(options)).toThrow(message);
  });
});
