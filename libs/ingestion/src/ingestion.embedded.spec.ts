import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedTelemetryStream } from '@fleetfm/stream';
import { EmbeddedTimeSeriesStore } from '@fleetfm/timeseries';
import { IngestionService } from './ingestion.service';

const T0 = Date.UTC(2026, 0, 1);

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Both real embedded adapters: what `fleetfm start` composes in one process.
describe('IngestionService with the embedded stream and store', () => {
  it('stores every sample once, durably (a reopened store has them)', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'fleetfm-ingest-'));
    const stream = new EmbeddedTelemetryStream({ capacity: 8 });
    let store = await EmbeddedTimeSeriesStore.open(dir);
    const sut = new IngestionService(stream, store, {
      topic: 'telemetry',
      groupId: 'ingest',
      batchSize: 50,
      flushMs: 5,
      maxRetries: 0,
    });
    try {
      await sut.start();
      for (let m = 0; m < 40; m++) {
        const vehicleId = `veh-${m % 4}`;
        const samples = Array.from({ length: 10 }, (_, i) => ({
          vehicleId,
          ts: T0 + (Math.floor(m / 4) * 10 + i) * 100,
          signals: { speed_mps: (m * 10 + i) % 30 },
        }));
        await stream.publish('telemetry', [
          { key: vehicleId, value: Buffer.from(JSON.stringify(samples)) },
        ]);
      }
      await waitFor(async () => (await sut.metrics()).samplesWritten === 400);
      await sut.stop();
      expect(await stream.lag('telemetry', 'ingest')).toBe(0);
      await store.close();
      store = await EmbeddedTimeSeriesStore.open(dir);
      const frame = await store.query({ vehicleId: 'veh-1', from: T0, to: T0 + 100_000 });
      expect(frame.ts.length).toBe(100);
      expect(frame.ts[1] - frame.ts[0]).toBe(100);
      // veh-1 gets messages m = 1, 5, 9, ...: sample i of message m has speed (10m + i) mod 30.
      expect(Array.from(frame.columns.speed_mps ?? []).slice(0, 3)).toEqual([10, 11, 12]);
    } finally {
      await stream.close();
      await store.close();
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });
});
