import { Kafka, logLevel } from 'kafkajs';
import type { IncomingMessage, Subscription } from '../telemetry-stream.port';
import {
  id,
  json,
  kafkaBrokers,
  sequenced,
  testStream,
  uniqueName,
  waitFor,
} from './kafka-int-helpers';
import type { KafkaTelemetryStream } from './kafka-telemetry-stream';

// Publish, consume, ordering, lag, topics and headers against the real broker. No mocks.
describe('KafkaTelemetryStream (real broker)', () => {
  jest.setTimeout(60_000);
  const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  let stream: KafkaTelemetryStream;
  let subscriptions: Subscription[] = [];

  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());
  beforeEach(() => {
    stream = testStream();
    subscriptions = [];
  });
  afterEach(async () => {
    await Promise.all(subscriptions.map((s) => s.stop()));
    await stream.close();
  });

  it('creates the topic and its .dlq with the configured partitions', async () => {
    const topic = uniqueName('ensure');
    await stream.ensureTopic(topic);
    await stream.ensureTopic(topic); // idempotent
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
    expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
      [topic, 6],
      [`${topic}.dlq`, 6],
    ]);
  });

  it('round-trips keyed messages: each key on one partition, in publish order', async () => {
    const topic = uniqueName('roundtrip');
    const messages = sequenced(12, 50); // 600 messages
    // Several publishes, as producers do.
    for (let i = 0; i < messages.length; i += 100) {
      await stream.publish(topic, messages.slice(i, i + 100));
    }
    const received: IncomingMessage[] = [];
    let largestBatch = 0;
    subscriptions.push(
      await stream.subscribe({
        topic,
        groupId: uniqueName('g'),
        maxBatchMessages: 64,
        handler: async (batch) => {
          largestBatch = Math.max(largestBatch, batch.messages.length);
          for (const m of batch.messages) {
            expect(m.partition).toBe(batch.partition);
            received.push(m);
          }
        },
      }),
    );
    await waitFor('600 messages', () => received.length >= 600);

    expect(received).toHaveLength(600);
    expect(new Set(received.map(id)).size).toBe(600);
    expect(largestBatch).toBeLessThanOrEqual(64);
    const byKey = new Map<string, IncomingMessage[]>();
    for (const m of received) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m]);
    expect(byKey.size).toBe(12);
    for (const [key, list] of byKey) {
      expect(new Set(list.map((m) => m.partition)).size).toBe(1);
      expect(list.map((m) => json(m).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(list.every((m) => json(m).key === key)).toBe(true);
    }
    // 12 keys over 6 partitions: the key hash spreads them over more than one.
    expect(new Set(received.map((m) => m.partition)).size).toBeGreaterThan(1);
    expect(received.every((m) => m.timestamp > Date.now() - 120_000)).toBe(true);
  });

  it('lag counts what a group has not committed and goes to 0 once it has', async () => {
    const topic = uniqueName('lag');
    const groupId = uniqueName('g');
    expect(await stream.lag(topic, groupId)).toBe(0); // no such topic yet
    await stream.publish(topic, sequenced(5, 20));
    expect(await stream.lag(topic, groupId)).toBe(100); // never subscribed: everything
    let seen = 0;
    subscriptions.push(
      await stream.subscribe({
        topic,
        groupId,
        handler: async (b) => void (seen += b.messages.length),
      }),
    );
    await waitFor('lag 0', async () => (await stream.lag(topic, groupId)) === 0);
    expect(seen).toBe(100);
    await stream.publish(topic, sequenced(5, 2, 20));
    await waitFor('lag 0 again', async () => (await stream.lag(topic, groupId)) === 0);
    expect(seen).toBe(110);
  });

  it('round-trips a dead-letter message with its headers', async () => {
    const topic = uniqueName('dlq');
    const dlq = `${topic}.dlq`;
    const headers = { reason: 'signals.speed_mps: expected number', 'failed-at': '1700000000000' };
    await stream.publish(dlq, [{ key: 'veh-9', value: Buffer.from('{"bad":'), headers }]);
    const got: IncomingMessage[] = [];
    subscriptions.push(
      await stream.subscribe({
        topic: dlq,
        groupId: uniqueName('g'),
        handler: async (b) => void got.push(...b.messages),
      }),
    );
    await waitFor('the dead letter', () => got.length === 1);
    expect(got[0]).toMatchObject({ topic: dlq, key: 'veh-9', headers });
    expect(got[0].value.toString()).toBe('{"bad":');
    // A dead-letter topic gets no dead-letter topic of its own.
    expect(await admin.listTopics()).not.toContain(`${dlq}.dlq`);
  });

  it('publishes a message larger than one produce request (GZIP keeps it under the broker limit)', async () => {
    await stream.close();
    stream = testStream(6, 100, 'gzip'); // closed by afterEach
    const topic = uniqueName('big');
    const big = Buffer.from('{"pad":"' + 'x'.repeat(1_500_000) + '"}');
    await stream.publish(topic, [
      { key: 'a', value: Buffer.from('1') },
      { key: 'a', value: big },
      { key: 'a', value: Buffer.from('2') },
    ]);
    const got: IncomingMessage[] = [];
    subscriptions.push(
      await stream.subscribe({
        topic,
        groupId: uniqueName('g'),
        handler: async (b) => void got.push(...b.messages),
      }),
    );
    await waitFor('3 messages', () => got.length === 3);
    expect(got.map((m) => m.value.length)).toEqual([1, big.length, 1]);
  });
});
