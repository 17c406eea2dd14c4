import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getJson, startFleetfm, stopFleetfm as stop } from './support/fleetfm-process';

/**
 * The one-command run, end to end: `fleetfm start` (simulator + embedded stream + ingest +
 * embedded store + API in one process), a 5-vehicle fleet streaming for a few simulated
 * minutes, telemetry read back over HTTP, Ctrl-C, restart, and nothing acknowledged lost.
 */
const SIM_MINUTES = 3;

interface Vehicles {
  vehicles: { vehicleId: string; firstTs: number; lastTs: number }[];
}
interface Health {
  status: string;
  components: {
    simulator?: { samplesPublished: number };
    ingest: { samplesWritten: number; samplesRejected: number };
    model?: { loaded: boolean; backend?: string; inference?: string; levelBlend?: boolean };
  };
}
interface Telemetry {
  count: number;
  ts: number[];
  values: Record<string, (number | null)[]>;
}

async function totalStored(url: string, vehicles: Vehicles['vehicles']): Promise<number> {
  let total = 0;
  for (const v of vehicles) {
    const t = await getJson<Telemetry>(
      `${url}/v1/vehicles/${v.vehicleId}/telemetry?signals=speed_mps&from=${v.firstTs}&to=${v.lastTs + 1}`,
    );
    total += t.count;
  }
  return total;
}

describe('fleetfm start (one process, embedded adapters)', () => {
  jest.setTimeout(180_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-e2e-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('streams a 5-vehicle fleet, serves it over HTTP, and loses nothing on Ctrl-C', async () => {
    const first = await startFleetfm(dataDir, { SIM_VEHICLES: '5', SIM_TIME_SCALE: '60' });
    let vehicles: Vehicles['vehicles'] = [];
    try {
      // Wait until every vehicle has SIM_MINUTES of simulated driving stored.
      const deadline = Date.now() + 120_000;
      for (;;) {
        vehicles = (await getJson<Vehicles>(`${first.url}/v1/vehicles`)).vehicles;
        const done =
          vehicles.length === 5 &&
          vehicles.every((v) => v.lastTs - v.firstTs >= SIM_MINUTES * 60_000);
        if (done) break;
        if (Date.now() > deadline) throw new Error(`fleet too slow: ${JSON.stringify(vehicles)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(vehicles.map((v) => v.vehicleId)).toEqual([
        'veh-001',
        'veh-002',
        'veh-003',
        'veh-004',
        'veh-005',
      ]);

      const v = vehicles[0];
      const raw = await getJson<Telemetry>(
        `${first.url}/v1/vehicles/${v.vehicleId}/telemetry?from=${v.firstTs}&to=${v.firstTs + 60_000}`,
      );
      // 10 Hz for one simulated minute, every signal in its plausible range.
      expect(raw.count).toBeGreaterThanOrEqual(590);
      expect(raw.count).toBeLessThanOrEqual(600);
      const steps = raw.ts.slice(1).map((t, i) => t - raw.ts[i]);
      expect(Math.min(...steps)).toBe(100);
      const speed = raw.values.speed_mps.filter((x): x is number => x !== null);
      expect(Math.max(...speed)).toBeGreaterThan(1);
      expect(Math.min(...speed)).toBeGreaterThanOrEqual(0);
      const soc = raw.values.soc_pct.filter((x): x is number => x !== null);
      expect(soc.length).toBeGreaterThan(500);

      const down = await getJson<Telemetry & { every: number }>(
        `${first.url}/v1/vehicles/${v.vehicleId}/telemetry?signals=speed_mps&from=${v.firstTs}&to=${v.firstTs + 60_000}&every=10s`,
      );
      expect(down.every).toBe(10_000);
      expect(down.count).toBeGreaterThanOrEqual(6);
      expect(down.count).toBeLessThanOrEqual(7);

      const health = await getJson<Health>(`${first.url}/health`);
      expect(health.status).toBe('ok');
      // The committed default model serves on wasm through the lean SIMD inference engine,
      // with its level blend (forecast-blend.json).
      expect(health.components.model).toMatchObject({
        backend: 'wasm',
        inference: 'lean',
        levelBlend: true,
        loaded: true,
      });
      expect(health.components.ingest.samplesWritten).toBeGreaterThan(5 * SIM_MINUTES * 600 - 1);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    // The shutdown summary: every sample the simulator published was written or rejected.
    const summary = /published (\d+) samples; ingest wrote (\d+), rejected (\d+)/.exec(
      first.output(),
    );
    expect(summary).not.toBeNull();
    const [published, written, rejected] = summary!.slice(1).map(Number);
    expect(written + rejected).toBe(published);
    expect(rejected).toBeLessThan(published / 100);

    // Restart on the same data without a simulator: everything published is there, once.
    const second = await startFleetfm(dataDir, { SIM_VEHICLES: '0' });
    try {
      const after = (await getJson<Vehicles>(`${second.url}/v1/vehicles`)).vehicles;
      expect(after).toHaveLength(5);
      expect(await totalStored(second.url, after)).toBe(written);
    } finally {
      expect(await stop(second)).toBe(0);
    }
  });
});
