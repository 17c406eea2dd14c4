import { loadConfig } from '@fleetfm/config';
import { Kafka, logLevel } from 'kafkajs';
import type { IncomingMessage, OutgoingMessage } from '../telemetry-stream.port';
import { kafkaBrokers, testStream, uniqueName, waitFor } from './kafka-int-helpers';
import type { KafkaTelemetryStream } from './kafka-telemetry-stream';
import { InfluxProbe, type VehicleTotals } from './testing/influx-probe';
import { IngestWorker } from './testing/ingest-worker';
import {
  buildRepo,
  groupAssignment,
  influxService,
  seededRandom,
  sleep,
  workerEnv,
} from './testing/reliability-env';
import { addTo, fleetStream, malformed, MALFORMED_KIND_COUNT } from './testing/telemetry-fixtures';

// The reliability scenarios, end to end on the real engines: samples are produced to
// Kafka, consumed by real ingest worker processes (node dist/apps/ingest/src/main.js), written
// to the real InfluxDB, and checked there by count and checksum per vehicle. No mocks.
// (b) stops and restarts the shared InfluxDB server: do not run it next to other Influx tests.
describe('Kafka ingest reliability (Kafka + InfluxDB + ingest worker processes)', () => {
  jest.setTimeout(300_000);
  const influx = loadConfig().influx;
  if (!influx) throw new Error('INFLUX_URL is not set; the integration global setup sets it');
  const brokers = kafkaBrokers();
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  const probe = new InfluxProbe(influx.url, influx.bucket);
  const baseTs = Date.UTC(2024, 0, 1) + (Date.now() % 86_400_000) * 1000; // unique per run
  let stream: KafkaTelemetryStream;
  let workers: IngestWorker[] = [];

  beforeAll(async () => {
    await buildRepo();
    await admin.connect();
  });
  afterAll(() => admin.disconnect());
  beforeEach(() => {
    // gzip: the oversized case of (c) only gets past the broker's 1 MiB limit compressed.
    stream = testStream(6, 100, 'gzip');
    workers = [];
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await stream.close();
  });

  function worker(name: string, topic: string, groupId: string, extra?: Record<string, string>) {
    const w = new IngestWorker(
      name,
      workerEnv({ brokers, topic, groupId, influx: influx!, extra }),
    );
    workers.push(w);
    return w;
  }

  async function started(w: IngestWorker, topic: string): Promise<void> {
    w.start();
    await waitFor(`${w.name} ingesting ${topic} into InfluxDB`, () => {
      if (!w.running) throw new Error(`${w.name} exited\n${w.tail()}`);
      return w.output.some((l) => l.includes(`ingesting ${topic}`) && l.includes('influx'));
    });
  }

  async function drained(topic: string, groupId: string, timeoutMs = 120_000): Promise<void> {
    try {
      await waitFor(
        `lag 0 on ${topic}`,
        async () => (await stream.lag(topic, groupId)) === 0,
        timeoutMs,
      );
    } catch (error) {
      const tails = workers.map((w) => w.tail()).join('\n');
      throw new Error(`${(error as Error).message}\n${tails}`);
    }
  }

  function sorted(m: Map<string, VehicleTotals>): [string, VehicleTotals][] {
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  async function publishRounds(
    topic: string,
    rounds: OutgoingMessage[][],
    gapMs: number,
    each?: (r: number) => Promise<void>,
  ) {
    for (let r = 0; r < rounds.length; r++) {
      await stream.publish(topic, rounds[r]);
      await each?.(r);
      if (gapMs > 0) await sleep(gapMs);
    }
  }

  it('(a) kill -9 of the worker mid-stream, then a restart: every sample stored exactly once', async () => {
    const topic = uniqueName('rel-kill');
    const groupId = `${topic}-ingest`;
    await stream.ensureTopic(topic);
    const data = fleetStream(topic, 20, 600, 5, baseTs); // 12,000 samples in 120 rounds
    const random = seededRandom(20240611);
    const killAt = 20 + Math.floor(random() * 60); // somewhere in rounds 20..79
    const first = worker('ingest-1', topic, groupId);
    await started(first, topic);
    let second: IngestWorker | undefined;
    await publishRounds(topic, data.rounds, 25, async (r) => {
      if (r === killAt) await first.kill9();
      if (r === killAt + 10) {
        second = worker('ingest-1-restarted', topic, groupId);
        await started(second, topic);
      }
    });
    expect(first.running).toBe(false);
    expect(second?.running).toBe(true);
    // The dead member's session must expire before its partitions move: up to 30 s.
    await drained(topic, groupId);
    expect(sorted(await probe.totals(topic))).toEqual(sorted(data.expected));
  });

  it('(b) InfluxDB down for 10 s during ingest: nothing lost, lag recovers', async () => {
    const topic = uniqueName('rel-influx');
    const groupId = `${topic}-ingest`;
    await stream.ensureTopic(topic);
    const data = fleetStream(topic, 10, 800, 4, baseTs); // 8,000 samples in 200 rounds
    // Few store retries, so the stream's own redelivery (pause, seek, backoff) is exercised too.
    const w = worker('ingest', topic, groupId, { INGEST_MAX_RETRIES: '2' });
    await started(w, topic);
    let outage: Promise<void> | undefined;
    let lagDuringOutage = 0;
    let committedBefore = -1;
    let committedDuring = -1;
    try {
      await publishRounds(topic, data.rounds, 100, async (r) => {
        if (r !== 30) return;
        outage = (async () => {
          await influxService('stop');
          committedBefore = await committedTotal(groupId, topic);
          await sleep(10_000);
          lagDuringOutage = await stream.lag(topic, groupId);
          committedDuring = await committedTotal(groupId, topic);
          await influxService('start');
        })();
      });
      await outage;
    } finally {
      await influxService('start'); // idempotent; never leave the shared server down
    }
    await drained(topic, groupId);
    // Production went on during the outage and nothing of it was committed.
    expect(lagDuringOutage).toBeGreaterThan(0);
    expect(committedDuring - committedBefore).toBeLessThanOrEqual(500); // at most a batch in flight
    expect(w.output.some((l) => l.includes('store write failed'))).toBe(true);
    expect(sorted(await probe.totals(topic))).toEqual(sorted(data.expected));
  });

  it('(c) 10% malformed messages of every kind: valid ones stored, each invalid one dead-lettered with its reason', async () => {
    const topic = uniqueName('rel-dlq');
    const groupId = `${topic}-ingest`;
    await stream.ensureTopic(topic);
    const valid = fleetStream(topic, 10, 200, 1, baseTs).rounds.flat(); // 2,000 single samples
    const expected = fleetStream(topic, 10, 200, 1, baseTs).expected;
    const random = seededRandom(7);
    const cases = Array.from({ length: 20 * MALFORMED_KIND_COUNT }, (_, n) =>
      malformed(topic, n, baseTs),
    ); // 260: 11% of the 2,360 messages (with the 100 duplicates)
    for (const c of cases) addTo(expected, c.validItems);
    // Duplicates (stored once) and out-of-order timestamps (a seeded shuffle) are valid input.
    const duplicates = Array.from(
      { length: 100 },
      () => valid[Math.floor(random() * valid.length)],
    );
    const all: OutgoingMessage[] = [...valid, ...duplicates, ...cases.map((c) => c.message)];
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    const w = worker('ingest', topic, groupId);
    await started(w, topic);
    for (let i = 0; i < all.length; i += 100) await stream.publish(topic, all.slice(i, i + 100));
    await drained(topic, groupId);

    const letters: IncomingMessage[] = [];
    const reader = await stream.subscribe({
      topic: `${topic}.dlq`,
      groupId: `${topic}-dlq-reader`,
      handler: async (b) => void letters.push(...b.messages),
    });
    await waitFor('every dead letter', () => letters.length >= cases.length, 60_000);
    await sleep(1000); // room for unexpected extra letters
    await reader.stop();

    expect(letters).toHaveLength(cases.length);
    const byCase = new Map(letters.map((l) => [l.headers?.['case-id'], l]));
    expect(byCase.size).toBe(cases.length);
    cases.forEach((c, n) => {
      const letter = byCase.get(`case-${n}`);
      expect({ kind: c.kind, error: letter?.headers?.error }).toEqual({
        kind: c.kind,
        error: expect.stringContaining(c.reason),
      });
      expect(letter?.headers?.['source-topic']).toBe(topic);
      expect(letter?.value.equals(c.message.value)).toBe(true);
    });
    expect(sorted(await probe.totals(topic))).toEqual(sorted(expected));
  });

  it('(d) two workers in one group share the partitions and together store each sample once', async () => {
    const topic = uniqueName('rel-pair');
    const groupId = `${topic}-ingest`;
    await stream.ensureTopic(topic);
    const a = worker('ingest-a', topic, groupId);
    const b = worker('ingest-b', topic, groupId);
    await Promise.all([started(a, topic), started(b, topic)]);
    let assignment: number[][] = [];
    await waitFor('a stable group of two with all partitions', async () => {
      assignment = await groupAssignment(admin, groupId, topic);
      return assignment.length === 2 && assignment.flat().length === 6;
    });
    const data = fleetStream(topic, 20, 500, 5, baseTs); // 10,000 samples
    await publishRounds(topic, data.rounds, 10);
    await drained(topic, groupId);

    expect(assignment.every((p) => p.length > 0)).toBe(true);
    expect(new Set(assignment.flat()).size).toBe(6);
    expect(sorted(await probe.totals(topic))).toEqual(sorted(data.expected));
    // Each worker reports its counters every 10 s: together they wrote each sample once.
    const marks = [a.output.length, b.output.length];
    await waitFor(
      'fresh counters from both workers',
      () => [a, b].every((w, i) => w.output.slice(marks[i]).some((l) => /written=\d+/.test(l))),
      25_000,
    );
    const written = [a.lastWritten() ?? 0, b.lastWritten() ?? 0];
    expect(written.every((n) => n > 0)).toBe(true);
    expect(written[0] + written[1]).toBe(data.samples);
  });

  async function committedTotal(groupId: string, topic: string): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  }
});
