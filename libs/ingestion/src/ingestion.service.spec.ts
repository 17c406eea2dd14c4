import { EmbeddedTelemetryStream, partitionForKey, type IncomingMessage } from '@fleetfm/stream';
import { encodeTelemetryBatch, type TelemetrySample } from '@fleetfm/domain';
import { IngestionService } from './ingestion.service';
import type { IngestionOptions } from './ingestion.options';
import { InMemoryTimeSeriesStore } from './testing/in-memory-store';

const TOPIC = 'telemetry';
const T0 = Date.UTC(2026, 0, 1);
const FAILED_AT = Date.UTC(2026, 5, 1, 12, 0, 0);

function sample(vehicleId: string, i: number, speed = 10): Record<string, unknown> {
  return { vehicleId, ts: T0 + i * 1000, signals: { speed_mps: speed, soc_pct: 50 } };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('IngestionService', () => {
  let stream: EmbeddedTelemetryStream;
  let store: InMemoryTimeSeriesStore;
  let sut: IngestionService;
  let dlq: IncomingMessage[];

  async function setUp(options: Partial<IngestionOptions> = {}): Promise<void> {
    stream = new EmbeddedTelemetryStream({ partitions: 6, retryBackoffMs: 20 });
    store = new InMemoryTimeSeriesStore();
    sut = new IngestionService(stream, store, {
      topic: TOPIC,
      groupId: 'ingest',
      batchSize: 100,
      flushMs: 5,
      maxRetries: 2,
      retryBaseMs: 1,
      now: () => FAILED_AT,
      ...options,
    });
    dlq = [];
    await stream.subscribe({
      topic: `${TOPIC}.dlq`,
      groupId: 'dlq-reader',
      maxWaitMs: 1,
      handler: async (batch) => {
        dlq.push(...batch.messages);
      },
    });
    await sut.start();
  }

  afterEach(async () => {
    await sut.stop();
    await stream.close();
  });

  it('stores valid samples (single and array messages) and commits them', async () => {
    await setUp();
    await stream.publish(TOPIC, [
      { key: 'veh-1', value: json(sample('veh-1', 0)) },
      { key: 'veh-2', value: json([sample('veh-2', 0), sample('veh-2', 1, 12.5)]) },
    ]);
    await waitFor(() => store.size === 3);
    const frame = await store.query({ vehicleId: 'veh-2', from: T0, to: T0 + 10_000 });
    expect(Array.from(frame.ts)).toEqual([T0, T0 + 1000]);
    expect(Array.from(frame.columns.speed_mps ?? [])).toEqual([10, 12.5]);
    await waitFor(() => stream.stats(TOPIC).retained === 0);
    expect(await stream.lag(TOPIC, 'ingest')).toBe(0);
    expect(dlq).toEqual([]);
  });

  it('dead-letters an invalid message with the reasons and its source', async () => {
    await setUp();
    const payload = json({ ...sample('veh-1', 0, -3), extra: 1 });
    await stream.publish(TOPIC, [{ key: 'veh-1', value: payload, headers: { trace: 'abc' } }]);
    await waitFor(() => dlq.length === 1);
    const letter = dlq[0];
    expect(letter.key).toBe('veh-1');
    expect(letter.value.equals(payload)).toBe(true);
    expect(letter.headers).toEqual({
      trace: 'abc',
      error: JSON.stringify([
        { index: 0, field: 'extra', value: 1, reason: 'unknown field' },
        { index: 0, field: 'signals.speed_mps', value: -3, reason: 'out of range [0, 90] m/s' },
      ]),
      'error-count': '2',
      'failed-at': '2026-06-01T12:00:00.000Z',
      'source-offset': '0',
      'source-partition': String(partitionForKey('veh-1', 6)),
      'source-topic': TOPIC,
    });
    expect(store.size).toBe(0);
    await waitFor(() => stream.stats(TOPIC).retained === 0);
  });

  it('stores the valid items of a mixed message and dead-letters it with the bad items', async () => {
    await setUp();
    const items = [
      sample('veh-1', 0),
      { ...sample('veh-1', 1), vehicleId: 'bad id' },
      sample('veh-1', 2),
    ];
    await stream.publish(TOPIC, [{ key: 'veh-1', value: json(items) }]);
    await waitFor(() => dlq.length === 1);
    expect(store.size).toBe(2);
    expect((await store.latest('veh-1'))?.ts).toBe(T0 + 2000);
    expect(JSON.parse(dlq[0].headers?.error ?? '')).toEqual([
      {
        index: 1,
        field: 'vehicleId',
        value: 'bad id',
        reason: 'must be 1-64 characters of [A-Za-z0-9._:-]',
      },
    ]);
  });

  it('dead-letters bad JSON and oversized messages without reading them into the store', async () => {
    await setUp({ maxMessageBytes: 100 });
    const big = Buffer.alloc(200, 0x20);
    await stream.publish(TOPIC, [
      { key: 'k', value: Buffer.from('{"vehicleId": ') },
      { key: 'k', value: big },
    ]);
    await waitFor(() => dlq.length === 2);
    const reasons = dlq.map((m) => JSON.parse(m.headers?.error ?? '')[0].reason as string);
    expect(reasons[0]).toMatch(/^invalid JSON/);
    expect(reasons[1]).toBe('message is 200 bytes; at most 100 are accepted');
    expect(dlq.map((m) => m.headers?.['source-offset'])).toEqual(['0', '1']);
    expect(store.writeCalls).toBe(0);
  });

  it('stores binary messages next to JSON ones and dead-letters bad and malformed binary ones', async () => {
    await setUp();
    const run = [0, 1, 2].map((i) => sample('veh-3', i) as unknown as TelemetrySample);
    const good = encodeTelemetryBatch(run);
    const mixed = encodeTelemetryBatch([
      sample('veh-4', 0, 95) as unknown as TelemetrySample,
      sample('veh-4', 1) as unknown as TelemetrySample,
    ]);
    const truncated = good.subarray(0, good.length - 1);
    await stream.publish(TOPIC, [
      { key: 'veh-3', value: good },
      { key: 'veh-1', value: json(sample('veh-1', 0)) },
      { key: 'veh-4', value: mixed },
      { key: 'veh-3', value: truncated },
    ]);
    await waitFor(() => dlq.length === 2 && store.size === 5);
    expect((await store.latest('veh-3'))?.ts).toBe(T0 + 2000);
    const letters = new Map(dlq.map((m) => [m.key, m]));
    expect(letters.get('veh-4')?.value.equals(mixed)).toBe(true);
    expect(JSON.parse(letters.get('veh-4')?.headers?.error ?? '')).toEqual([
      { index: 0, field: 'signals.speed_mps', value: 95, reason: 'out of range [0, 90] m/s' },
    ]);
    expect(letters.get('veh-3')?.value.equals(truncated)).toBe(true);
    expect(JSON.parse(letters.get('veh-3')?.headers?.error ?? '')[0].reason).toMatch(
      /^invalid binary telemetry: truncated/,
    );
  });

  it('commits nothing while the store fails, then stores the batch exactly once', async () => {
    await setUp({ maxRetries: 2 });
    store.failNextWrites(1_000);
    await stream.publish(TOPIC, [
      { key: 'veh-1', value: json([sample('veh-1', 0), sample('veh-1', 1)]) },
    ]);
    // Two deliveries of 3 attempts each (1 + maxRetries), none of them committed.
    await waitFor(() => store.writeCalls >= 6);
    expect(await stream.lag(TOPIC, 'ingest')).toBe(1);
    expect(store.size).toBe(0);
    expect(dlq).toEqual([]);
    store.failNextWrites(0);
    await waitFor(() => store.size === 2);
    await waitFor(() => stream.stats(TOPIC).retained === 0);
    expect(await stream.lag(TOPIC, 'ingest')).toBe(0);
    expect(store.samplesAccepted).toBe(2);
    const m = await sut.metrics();
    expect(m.samplesWritten).toBe(2);
    expect(m.batchesRedelivered).toBeGreaterThanOrEqual(2);
    expect(m.writeRetries).toBeGreaterThanOrEqual(4);
    expect(dlq).toEqual([]);
  });

  it('retries a transient store failure within the batch', async () => {
    await setUp({ maxRetries: 3 });
    store.failNextWrites(2);
    await stream.publish(TOPIC, [{ key: 'veh-1', value: json(sample('veh-1', 0)) }]);
    await waitFor(() => store.size === 1);
    const m = await sut.metrics();
    expect(store.writeCalls).toBe(3);
    expect(m.writeRetries).toBe(2);
    expect(m.batchesRedelivered).toBe(0);
  });

  it('splits a delivered batch into store writes of at most batchSize samples', async () => {
    await setUp({ batchSize: 3 });
    const items = Array.from({ length: 7 }, (_, i) => sample('veh-1', i));
    await stream.publish(TOPIC, [{ key: 'veh-1', value: json(items) }]);
    await waitFor(() => store.size === 7);
    expect(store.writeCalls).toBe(3);
  });

  it('counts what it received, wrote, rejected and dead-lettered', async () => {
    await setUp();
    await stream.publish(TOPIC, [
      { key: 'veh-1', value: json([sample('veh-1', 0), sample('veh-1', 1)]) },
      { key: 'veh-2', value: json([sample('veh-2', 0), 7, { nope: true }]) },
      { key: 'veh-3', value: json(sample('veh-3', 0)) },
    ]);
    await waitFor(() => store.size === 4 && dlq.length === 1);
    await waitFor(() => stream.stats(TOPIC).retained === 0);
    const m = await sut.metrics();
    expect(m).toEqual({
      running: true,
      messagesReceived: 3,
      samplesReceived: 6,
      samplesWritten: 4,
      itemsRejected: 2,
      messagesDeadLettered: 1,
      writeRetries: 0,
      batchesRedelivered: 0,
      lastWriteLatencyMs: expect.any(Number),
      lag: 0,
    });
    expect(m.lastWriteLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('stop() lets the in-flight write finish and commits it', async () => {
    await setUp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const write = store.write.bind(store);
    jest.spyOn(store, 'write').mockImplementation(async (samples: readonly TelemetrySample[]) => {
      await gate;
      return write(samples);
    });
    await stream.publish(TOPIC, [{ key: 'veh-1', value: json(sample('veh-1', 0)) }]);
    await waitFor(
      () => store.writeCalls === 0 && (store.write as jest.Mock).mock.calls.length === 1,
    );
    let stopped = false;
    const stopping = sut.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(store.size).toBe(1);
    expect(await stream.lag(TOPIC, 'ingest')).toBe(0);
    expect((await sut.metrics()).running).toBe(false);
  });

  it('stop() during a store outage returns promptly and leaves the batch uncommitted', async () => {
    await setUp({ maxRetries: 1000, retryBaseMs: 1000 });
    store.failNextWrites(1_000_000);
    await stream.publish(TOPIC, [{ key: 'veh-1', value: json(sample('veh-1', 0)) }]);
    await waitFor(() => store.writeCalls >= 1);
    await sut.stop();
    expect(store.size).toBe(0);
    expect(await stream.lag(TOPIC, 'ingest')).toBe(1);
  });
});
