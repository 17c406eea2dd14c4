import type { KafkaMessage } from 'kafkajs';
import type { ConsumedBatch } from '../telemetry-stream.port';
import { BatchProcessor, type BatchPayload, type PartitionControl } from './batch-processor';

function message(offset: number): KafkaMessage {
  return {
    key: Buffer.from(`veh-${offset % 3}`),
    value: Buffer.from(String(offset)),
    offset: String(offset),
    timestamp: '1000',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** A kafkajs eachBatch payload that records what the processor did with it. */
function payload(first: number, count: number, running: () => boolean = () => true) {
  const calls: string[] = [];
  const p: BatchPayload = {
    batch: {
      topic: 't',
      partition: 2,
      messages: Array.from({ length: count }, (_, i) => message(first + i)),
    } as BatchPayload['batch'],
    resolveOffset: (offset) => void calls.push(`resolve ${offset}`),
    commitOffsetsIfNecessary: async (offsets) => {
      const [{ topic, partitions }] = offsets?.topics ?? [];
      calls.push(`commit ${topic}[${partitions[0].partition}]@${partitions[0].offset}`);
    },
    heartbeat: async () => void calls.push('heartbeat'),
    isRunning: running,
    isStale: () => false,
  };
  return { p, calls };
}

function control(): PartitionControl & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    seek: ({ topic, partition, offset }) =>
      void calls.push(`seek ${topic}[${partition}]@${offset}`),
    pause: ([{ topic, partitions }]) => void calls.push(`pause ${topic}[${partitions[0]}]`),
    resume: ([{ topic, partitions }]) => void calls.push(`resume ${topic}[${partitions[0]}]`),
  };
}

const logger = { error: jest.fn(), warn: jest.fn(), log: jest.fn() };

function processor(handler: (b: ConsumedBatch) => Promise<void>, ctl = control()) {
  const sut = new BatchProcessor({
    groupId: 'g',
    maxBatchMessages: 4,
    handler,
    control: ctl,
    backoff: { baseMs: 100, maxMs: 350 },
    logger,
  });
  return { sut, ctl };
}

describe('BatchProcessor', () => {
  afterEach(() => jest.useRealTimers());

  it('hands over slices of at most maxBatchMessages and commits each after it resolved', async () => {
    const seen: string[][] = [];
    const { sut, ctl } = processor(async (b) => void seen.push(b.messages.map((m) => m.offset)));
    const { p, calls } = payload(10, 10);
    await sut.process(p);
    expect(seen).toEqual([
      ['10', '11', '12', '13'],
      ['14', '15', '16', '17'],
      ['18', '19'],
    ]);
    expect(calls).toEqual([
      'resolve 13',
      'commit t[2]@14',
      'heartbeat',
      'resolve 17',
      'commit t[2]@18',
      'heartbeat',
      'resolve 19',
      'commit t[2]@20',
    ]);
    expect(ctl.calls).toEqual([]);
  });

  it('commits nothing of a rejected slice, seeks back to it and resumes after a capped backoff', async () => {
    jest.useFakeTimers();
    let calls = 0;
    const { sut, ctl } = processor(async () => {
      calls += 1;
      if (calls === 2) throw new Error('store down');
    });
    const { p, calls: done } = payload(0, 10);
    await sut.process(p);
    // First slice committed, second rejected: the third is not even tried.
    expect(done).toEqual(['resolve 3', 'commit t[2]@4', 'heartbeat']);
    expect(ctl.calls).toEqual(['pause t[2]', 'seek t[2]@4']);
    expect(sut.backingOff).toBe(1);
    jest.advanceTimersByTime(99);
    expect(ctl.calls).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(ctl.calls[2]).toBe('resume t[2]');
    expect(sut.backingOff).toBe(0);
  });

  it('doubles the delay per consecutive rejection up to the cap, and resets after a success', async () => {
    jest.useFakeTimers();
    let fail = true;
    const ctl = control();
    const { sut } = processor(async () => {
      if (fail) throw new Error('no');
    }, ctl);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await sut.process(payload(0, 1).p);
      const before = ctl.calls.length;
      let waited = 0;
      while (ctl.calls.length === before) {
        jest.advanceTimersByTime(1);
        waited += 1;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([100, 200, 350, 350]);
    fail = false;
    await sut.process(payload(0, 1).p);
    fail = true;
    await sut.process(payload(1, 1).p);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops between slices once the consumer stops running, having committed what it processed', async () => {
    let running = true;
    const seen: number[] = [];
    const { sut } = processor(async (b) => {
      seen.push(b.messages.length);
      running = false; // stop() arrives while the first slice is being handled
    });
    const { p, calls } = payload(0, 10, () => running);
    await sut.process(p);
    expect(seen).toEqual([4]);
    expect(calls).toEqual(['resolve 3', 'commit t[2]@4', 'heartbeat']);
  });

  it('does not resume partitions after stop()', async () => {
    jest.useFakeTimers();
    const { sut, ctl } = processor(async () => {
      throw new Error('no');
    });
    await sut.process(payload(0, 2).p);
    sut.stop();
    jest.advanceTimersByTime(10_000);
    expect(ctl.calls).toEqual(['pause t[2]', 'seek t[2]@0']);
  });

  it('reports the rejected batch to onHandlerError with the group id', async () => {
    jest.useFakeTimers();
    const onHandlerError = jest.fn();
    const error = new Error('bad');
    const sut = new BatchProcessor({
      groupId: 'ingest',
      maxBatchMessages: 10,
      handler: async () => {
        throw error;
      },
      control: control(),
      backoff: { baseMs: 1, maxMs: 1 },
      logger,
      onHandlerError,
    });
    await sut.process(payload(5, 2).p);
    expect(onHandlerError).toHaveBeenCalledTimes(1);
    const [reported, batch, group] = onHandlerError.mock.calls[0];
    expect(reported).toBe(error);
    expect(group).toBe('ingest');
    expect(batch.messages.map((m: { offset: string }) => m.offset)).toEqual(['5', '6']);
    sut.stop();
  });
});
