import type { ConsumedBatch, IncomingMessage, OutgoingMessage } from '../telemetry-stream.port';
import { EmbeddedTelemetryStream } from './embedded-telemetry-stream';
import { fnv1a32, partitionForKey } from './partitioner';

const TOPIC = 'telemetry';

function msg(key: string, text: string): OutgoingMessage {
  return { key, value: Buffer.from(text) };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const text = (m: IncomingMessage): string => m.value.toString();

describe('partitioner', () => {
  it('is FNV-1a 32 (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('maps keys to stable partitions', () => {
    expect(partitionForKey('veh-001', 6)).toBe(2); // 0x933d7ff6 % 6
    expect(partitionForKey('veh-002', 6)).toBe(3); // 0x923d7e63 % 6
    expect(partitionForKey('a', 6)).toBe(4);
  });
});

describe('EmbeddedTelemetryStream', () => {
  let sut: EmbeddedTelemetryStream;
  afterEach(async () => {
    await sut.close();
  });

  it('keeps per-key order on the key partition, with offsets per partition', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 4 });
    const keys = ['veh-001', 'veh-002', 'veh-003', 'a', 'foobar'];
    for (let i = 0; i < 50; i++)
      await sut.publish(TOPIC, [msg(keys[i % 5], `${keys[i % 5]}#${i}`)]);
    const seen: IncomingMessage[] = [];
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 3,
      maxWaitMs: 1,
      handler: async (batch) => {
        seen.push(...batch.messages);
      },
    });
    await waitFor(() => seen.length === 50);
    for (const key of keys) {
      const ofKey = seen.filter((m) => m.key === key);
      expect(ofKey.map((m) => Number(text(m).split('#')[1]))).toEqual(
        Array.from({ length: 10 }, (_, j) => keys.indexOf(key) + 5 * j),
      );
      expect(new Set(ofKey.map((m) => m.partition))).toEqual(new Set([partitionForKey(key, 4)]));
    }
    for (let p = 0; p < 4; p++) {
      const offsets = seen.filter((m) => m.partition === p).map((m) => Number(m.offset));
      expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i));
    }
    expect(await sut.lag(TOPIC, 'g')).toBe(0);
  });

  it('delivers every message to each group; members of one group share the partitions', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 6 });
    const byMember: string[][] = [[], [], []];
    const sub = (groupId: string, into: string[]) =>
      sut.subscribe({
        topic: TOPIC,
        groupId,
        maxWaitMs: 1,
        handler: async (batch: ConsumedBatch) => {
          into.push(...batch.messages.map(text));
        },
      });
    await sub('a', byMember[0]);
    await sub('a', byMember[1]);
    await sub('b', byMember[2]);
    const all = Array.from({ length: 60 }, (_, i) => `veh-${i % 12}:${i}`);
    await sut.publish(
      TOPIC,
      all.map((t) => msg(t.split(':')[0], t)),
    );
    await waitFor(
      () => byMember[0].length + byMember[1].length === 60 && byMember[2].length === 60,
    );
    expect([...byMember[0], ...byMember[1]].sort()).toEqual([...all].sort());
    expect(byMember[0].filter((t) => byMember[1].includes(t))).toEqual([]);
    expect(byMember[0].length).toBeGreaterThan(0);
    expect(byMember[1].length).toBeGreaterThan(0);
    expect([...byMember[2]].sort()).toEqual([...all].sort());
    expect(await sut.lag(TOPIC, 'a')).toBe(0);
    expect(await sut.lag(TOPIC, 'b')).toBe(0);
    // Everything committed by both groups: nothing left in memory.
    expect(sut.stats(TOPIC).retained).toBe(0);
  });

  it('commits only after the handler resolved; a new subscription resumes from there', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 1 });
    await sut.publish(TOPIC, [msg('k', '0'), msg('k', '1'), msg('k', '2')]);
    const gate = deferred();
    const batches: string[][] = [];
    const sub = await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 2,
      handler: async (batch) => {
        batches.push(batch.messages.map(text));
        await gate.promise;
      },
    });
    await waitFor(() => batches.length === 1);
    expect(await sut.lag(TOPIC, 'g')).toBe(3);
    const stopped = sub.stop();
    gate.resolve();
    await stopped;
    expect(batches).toEqual([['0', '1']]);
    expect(await sut.lag(TOPIC, 'g')).toBe(1);

    const later: string[] = [];
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxWaitMs: 1,
      handler: async (batch) => {
        later.push(...batch.messages.map(text));
      },
    });
    await waitFor(() => later.length === 1);
    expect(later).toEqual(['2']);
  });

  it('redelivers a rejected batch from the committed offset after a backoff', async () => {
    const errors: unknown[] = [];
    sut = new EmbeddedTelemetryStream({
      partitions: 1,
      retryBackoffMs: 30,
      onHandlerError: (e) => errors.push(e),
    });
    await sut.publish(TOPIC, [msg('k', '0'), msg('k', '1')]);
    const deliveries: { at: number; texts: string[] }[] = [];
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 2,
      handler: async (batch) => {
        deliveries.push({ at: Date.now(), texts: batch.messages.map(text) });
        if (deliveries.length <= 2) throw new Error(`boom ${deliveries.length}`);
      },
    });
    await waitFor(() => deliveries.length === 3);
    expect(deliveries.map((d) => d.texts)).toEqual([
      ['0', '1'],
      ['0', '1'],
      ['0', '1'],
    ]);
    // 30 ms then 60 ms (doubling); allow timer slack below.
    expect(deliveries[1].at - deliveries[0].at).toBeGreaterThanOrEqual(25);
    expect(deliveries[2].at - deliveries[1].at).toBeGreaterThanOrEqual(55);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom 1', 'boom 2']);
    await waitFor(() => sut.stats(TOPIC).retained === 0);
    expect(await sut.lag(TOPIC, 'g')).toBe(0);
  });

  it('hands over a partial batch after maxWaitMs', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 1 });
    const got: { at: number; n: number }[] = [];
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 4,
      maxWaitMs: 80,
      handler: async (batch) => {
        got.push({ at: Date.now(), n: batch.messages.length });
      },
    });
    const t0 = Date.now();
    await sut.publish(TOPIC, [msg('k', '0'), msg('k', '1')]);
    await waitFor(() => got.length === 1);
    expect(got[0].n).toBe(2);
    expect(got[0].at - t0).toBeGreaterThanOrEqual(75);
  });

  it('hands over a full batch without waiting', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 1 });
    const sizes: number[] = [];
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 4,
      maxWaitMs: 60_000,
      handler: async (batch) => {
        sizes.push(batch.messages.length);
      },
    });
    await sut.publish(
      TOPIC,
      Array.from({ length: 10 }, (_, i) => msg('k', String(i))),
    );
    await waitFor(() => sizes.length === 2);
    expect(sizes).toEqual([4, 4]);
  });

  it('hands over a partial batch at once when the topic is full', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 2, capacity: 4 });
    const sizes: number[] = [];
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 100,
      maxWaitMs: 60_000,
      handler: async (batch) => {
        sizes.push(batch.messages.length);
      },
    });
    await sut.publish(
      TOPIC,
      Array.from({ length: 12 }, (_, i) => msg('k', String(i))),
    );
    await waitFor(() => sizes.reduce((a, b) => a + b, 0) >= 8);
    expect(sizes.slice(0, 2)).toEqual([4, 4]);
  });

  it('throttles a fast producer to a slow consumer; retained never exceeds capacity', async () => {
    const capacity = 20;
    sut = new EmbeddedTelemetryStream({ partitions: 3, capacity });
    let consumed = 0;
    let maxRetained = 0;
    let sawWaitingPublisher = false;
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'slow',
      maxBatchMessages: 4,
      maxWaitMs: 1,
      handler: async (batch) => {
        maxRetained = Math.max(maxRetained, sut.stats(TOPIC).retained);
        sawWaitingPublisher ||= sut.stats(TOPIC).waitingPublishers > 0;
        await new Promise((r) => setTimeout(r, 1));
        consumed += batch.messages.length;
      },
    });
    const total = 300;
    for (let i = 0; i < total; i += 10) {
      const chunk = Array.from({ length: 10 }, (_, j) => msg(`veh-${(i + j) % 7}`, `${i + j}`));
      await sut.publish(TOPIC, chunk);
      maxRetained = Math.max(maxRetained, sut.stats(TOPIC).retained);
    }
    // The producer could only finish once all but `capacity` messages were consumed.
    expect(consumed).toBeGreaterThanOrEqual(total - capacity);
    expect(maxRetained).toBeLessThanOrEqual(capacity);
    expect(maxRetained).toBe(capacity);
    expect(sawWaitingPublisher).toBe(true);
    await waitFor(() => consumed === total);
    expect(sut.stats(TOPIC).retained).toBe(0);
  });

  it('drops the oldest messages of a topic nobody subscribed to, beyond capacity', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 1, capacity: 5 });
    await sut.publish(
      'dlq',
      Array.from({ length: 8 }, (_, i) => msg('k', String(i))),
    );
    expect(sut.stats('dlq')).toEqual({
      retained: 5,
      evicted: 3,
      waitingPublishers: 0,
      endOffsets: [8],
    });
    const got: string[] = [];
    await sut.subscribe({
      topic: 'dlq',
      groupId: 'g',
      maxWaitMs: 1,
      handler: async (b) => {
        got.push(...b.messages.map(text));
      },
    });
    await waitFor(() => got.length === 5);
    expect(got).toEqual(['3', '4', '5', '6', '7']);
  });

  it('close() finishes in-flight batches and fails publishers still waiting for space', async () => {
    sut = new EmbeddedTelemetryStream({ partitions: 1, capacity: 2 });
    const gate = deferred();
    let handled = 0;
    await sut.subscribe({
      topic: TOPIC,
      groupId: 'g',
      maxBatchMessages: 1,
      handler: async () => {
        await gate.promise;
        handled += 1;
      },
    });
    await sut.publish(TOPIC, [msg('k', '0'), msg('k', '1')]);
    const admitted = sut.publish(TOPIC, [msg('k', '2')]);
    const blocked = sut.publish(TOPIC, [msg('k', '3')]);
    await waitFor(() => sut.stats(TOPIC).waitingPublishers === 2);
    const closing = sut.close();
    gate.resolve();
    await closing;
    expect(handled).toBe(1);
    // Committing message 0 freed one slot, which went to the first waiting publisher.
    await expect(admitted).resolves.toBeUndefined();
    await expect(blocked).rejects.toThrow('closed');
    await expect(sut.publish(TOPIC, [msg('k', '4')])).rejects.toThrow('closed');
    expect(await sut.lag(TOPIC, 'g')).toBe(2);
  });
});
