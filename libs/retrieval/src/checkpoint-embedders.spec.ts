import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  PatchModel,
  SegmentStyleHead,
  selectBackend,
  serialiseSegmentStyleHead,
  serialiseStyleHead,
  StyleHead,
  TINY_MODEL_ARGS,
  writeSegmentStyleHead,
  writeStyleHead,
} from '@fleetfm/model';
import { embeddersForCheckpoint } from './checkpoint-embedders';

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let j = 0; j < a.length; j++) d += a[j] * b[j];
  return d / (Math.hypot(...a) * Math.hypot(...b));
}

describe('embeddersForCheckpoint', () => {
  let dir: string;
  let model: PatchModel;
  const ramp = Float32Array.from({ length: 40 }, (_, t) => Math.min(t, 20));
  const raised = Float32Array.from(ramp, (v) => v + 8);
  /** A drive: stop with the brake held, launch, cruise, brake to a stop (10 Hz, 60 s). */
  const drive = (hold: number): Array<{ name: string; values: Float32Array }> => {
    const n = 600;
    const speed = Float32Array.from({ length: n }, (_, i) =>
      i < 100 || i > 500 ? 0 : Math.min(10, (i - 100) * 0.1, (500 - i) * 0.1),
    );
    return [
      { name: 'speed_mps', values: speed },
      {
        name: 'pedal_pct',
        values: Float32Array.from(speed, (v, i) => (v > 0 && i < 300 ? 20 : 0)),
      },
      {
        name: 'brake_pct',
        values: Float32Array.from(speed, (v, i) => (v === 0 || i > 400 ? hold : 0)),
      },
    ];
  };
  beforeAll(async () => {
    await selectBackend({ prefer: ['wasm', 'cpu'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-embedders-'));
    model = new PatchModel({ ...TINY_MODEL_ARGS, numSignals: 12 });
  });
  afterAll(() => {
    model.dispose();
    fs.rmSync(dir, { force: true, recursive: true });
  });

  it('without sidecars both kinds use the pooled head, which normalises levels away', async () => {
    const sut = embeddersForCheckpoint(model, {}, dir);
    expect(sut.notes.scenario).toMatch(/pooled head/);
    expect(sut.notes['driver-style']).toMatch(/pooled head averaged per channel/);
    const [a, b] = await sut.scenario.embed([ramp, raised], [5, 5]);
    expect(cosine(a, b)).toBeCloseTo(1, 5);
    const seg = await sut.driverStyle.embedSegment([{ name: 'speed_mps', values: ramp }], 10);
    expect(seg.length).toBe(model.config.embeddingDim);
    sut.dispose();
  });

  it("with a style-head.json bound to weights.bin: driver style sees levels, scenario still doesn't", async () => {
    const weights = new Uint8Array([7, 7, 7]);
    fs.writeFileSync(path.join(dir, 'weights.bin'), weights);
    const head = new StyleHead({
      embeddingDim: 5,
      hiddenDim: 8,
      numSignals: 12,
      pooledDim: model.config.dModel,
      seed: 1,
    });
    await writeStyleHead(dir, serialiseStyleHead(head, weights));
    head.dispose();
    const before = tf.memory().numTensors;
    const sut = embeddersForCheckpoint(model, {}, dir);
    expect(sut.notes['driver-style']).toMatch(/per-window scale-aware style head/);
    const [a, b] = await sut.scenario.embed([ramp, raised], [5, 5]);
    expect(a.length).toBe(model.config.embeddingDim);
    expect(cosine(a, b)).toBeCloseTo(1, 5);
    const sa = await sut.driverStyle.embedSegment([{ name: 'speed_mps', values: ramp }], 10);
    const sb = await sut.driverStyle.embedSegment([{ name: 'speed_mps', values: raised }], 10);
    expect(sa.length).toBe(5);
    expect(cosine(sa, sb)).toBeLessThan(0.999);
    sut.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('prefers segment-style-head.json: one embedding per multi-channel segment', async () => {
    const head = new SegmentStyleHead({ embeddingDim: 4, hiddenDim: 8, seed: 3 });
    // Unit standardisation would clip a brake level of 15 and 35 alike to +6.
    const d = head.config.featureDim;
    head.setStandardisation(new Float32Array(d), new Float32Array(d).fill(100));
    await writeSegmentStyleHead(dir, serialiseSegmentStyleHead(head));
    head.dispose();
    const before = tf.memory().numTensors;
    const sut = embeddersForCheckpoint(model, {}, dir);
    expect(sut.notes['driver-style']).toMatch(/segment style head/);
    expect(sut.notes.scenario).toMatch(/pooled head/);
    const light = await sut.driverStyle.embedSegment(drive(15), 10);
    const firm = await sut.driverStyle.embedSegment(drive(35), 10);
    expect(light.length).toBe(4);
    expect(Math.hypot(...light)).toBeCloseTo(1, 5);
    expect(cosine(light, firm)).toBeLessThan(0.9999);
    await expect(
      sut.driverStyle.embedSegment([{ name: 'speed_mps', values: ramp }], 10),
    ).rejects.toThrow('missing pedal_pct, brake_pct');
    sut.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
