import { Kafka, logLevel } from 'kafkajs';
import type { ConsumedBatch, IncomingMessage, Subscription } from '../telemetry-stream.port';
import { id, kafkaBrokers, sequenced, testStream, uniqueName, waitFor } from './kafka-int-helpers';
import type { KafkaTelemetryStream } from './kafka-telemetry-stream';

// Commit and redelivery semantics of consumer groups against the real broker. No mocks.
describe('KafkaTelemetryStream consumer groups (real broker)', () => {
  jest.setTimeout(90_000);
  const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  const streams: KafkaTelemetryStream[] = [];
  const open = (partitions = 6): KafkaTelemetryStream => {
    const stream = testStream(partitions);
    streams.push(stream);
    return stream;
  };

  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()));
  });

  async function committed(groupId: string, topic: string): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }

  it('a group that stopped after processing resumes after its commits: no redelivery', async () => {
    const stream = open();
    const topic = uniqueName('resume');
    const groupId = uniqueName('g');
    await stream.publish(topic, sequenced(8, 10));
    const first: IncomingMessage[] = [];
    const sub = await stream.subscribe({
      topic,
      groupId,
      handler: async (b) => void first.push(...b.messages),
    });
    await waitFor('80 messages', () => first.length === 80);
    await sub.stop();
    expect(await committed(groupId, topic)).toBe(80);

    await stream.publish(topic, sequenced(8, 5, 10));
    const second: IncomingMessage[] = [];
    const again = await stream.subscribe({
      topic,
      groupId,
      handler: async (b) => void second.push(...b.messages),
    });
    await waitFor('40 new messages', () => second.length >= 40);
    await new Promise((r) => setTimeout(r, 500)); // room for an (unwanted) redelivery
    await again.stop();
    expect(second).toHaveLength(40);
    const firstIds = new Set(first.map(id));
    expect(second.some((m) => firstIds.has(id(m)))).toBe(false);
    expect(await stream.lag(topic, groupId)).toBe(0);
  });

  it('a rejected batch is delivered again, and nothing is committed while the handler fails', async () => {
    const stream = open();
    const topic = uniqueName('reject');
    const groupId = uniqueName('g');
    await stream.publish(topic, sequenced(6, 10)); // 60
    let storeDown = true;
    let rejections = 0;
    const stored = new Map<string, number>();
    const sub = await stream.subscribe({
      topic,
      groupId,
      handler: async (b: ConsumedBatch) => {
        if (storeDown) {
          rejections += 1;
          throw new Error('store unavailable');
        }
        for (const m of b.messages) stored.set(id(m), (stored.get(id(m)) ?? 0) + 1);
      },
    });
    // Every partition is rejected repeatedly (with backoff): at least two rounds.
    await waitFor('repeated rejections', () => rejections >= 12);
    expect(await committed(groupId, topic)).toBe(0);
    expect(await stream.lag(topic, groupId)).toBe(60);

    storeDown = false; // the store comes back: the consumer recovers by itself
    await waitFor('lag 0', async () => (await stream.lag(topic, groupId)) === 0);
    await sub.stop();
    expect(stored.size).toBe(60);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });

  it('two consumers in one group share the partitions; each message is processed once', async () => {
    const topic = uniqueName('shared');
    const groupId = uniqueName('g');
    const a = open();
    const b = open();
    await a.ensureTopic(topic);
    const seen = { a: new Map<string, number>(), b: new Map<string, number>() };
    const partitions = { a: new Set<number>(), b: new Set<number>() };
    const member = (name: 'a' | 'b') => async (batch: ConsumedBatch) => {
      partitions[name].add(batch.partition);
      for (const m of batch.messages) seen[name].set(id(m), (seen[name].get(id(m)) ?? 0) + 1);
    };
    const subs: Subscription[] = [
      await a.subscribe({ topic, groupId, handler: member('a') }),
      await b.subscribe({ topic, groupId, handler: member('b') }),
    ];
    await waitFor('a stable group of two', async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === 2;
    });

    await a.publish(topic, sequenced(24, 25)); // 600 over 24 vehicles
    await waitFor('600 processed', () => seen.a.size + seen.b.size >= 600);
    await waitFor('lag 0', async () => (await a.lag(topic, groupId)) === 0);
    await Promise.all(subs.map((s) => s.stop()));

    const all = [...seen.a.keys(), ...seen.b.keys()];
    expect(all).toHaveLength(600);
    expect(new Set(all).size).toBe(600);
    expect([...seen.a.values(), ...seen.b.values()].every((n) => n === 1)).toBe(true);
    expect(seen.a.size).toBeGreaterThan(0);
    expect(seen.b.size).toBeGreaterThan(0);
    expect([...partitions.a].filter((p) => partitions.b.has(p))).toEqual([]);
    expect(partitions.a.size + partitions.b.size).toBe(6);
  });

  it('stop() during a batch lets it finish and commits exactly what was processed', async () => {
    const stream = open(1); // one partition: one fetched batch, handed over in slices
    const topic = uniqueName('stop');
    const groupId = uniqueName('g');
    await stream.publish(topic, sequenced(1, 50));
    const processed: IncomingMessage[] = [];
    let stopping: Promise<void> | undefined;
    let sub: Subscription | undefined;
    let calls = 0;
    sub = await stream.subscribe({
      topic,
      groupId,
      maxBatchMessages: 10,
      handler: async (b) => {
        calls += 1;
        if (calls === 2) {
          stopping = sub?.stop(); // stop arrives while this slice is in flight
          await new Promise((r) => setTimeout(r, 300));
        }
        processed.push(...b.messages);
      },
    });
    await waitFor('stop() called', () => stopping !== undefined);
    await stopping;
    expect(calls).toBe(2);
    const done = processed.length;
    expect(done).toBe(20);
    expect(await committed(groupId, topic)).toBe(done);
    expect(await stream.lag(topic, groupId)).toBe(50 - done);

    const rest: IncomingMessage[] = [];
    sub = await stream.subscribe({
      topic,
      groupId,
      handler: async (b) => void rest.push(...b.messages),
    });
    await waitFor('the rest', () => rest.length >= 50 - done);
    await sub.stop();
    expect(rest.map((m) => Number(m.offset))).toEqual(
      Array.from({ length: 50 - done }, (_, i) => done + i),
    );
  });
});
