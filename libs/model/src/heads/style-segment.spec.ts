import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { laggedCorrelation, segmentDynamicsFeatures } from './style-segment-dynamics';
import { SegmentStyleHead } from './style-segment-head';
import {
  deserialiseSegmentStyleHead,
  readSegmentStyleHead,
  SEGMENT_STYLE_HEAD_JSON,
  serialiseSegmentStyleHead,
  writeSegmentStyleHead,
} from './style-segment-head-file';
import {
  SEGMENT_STYLE_VECTOR_DIM,
  SEGMENT_STYLE_VECTOR_NAMES,
  segmentStyleVector,
} from './style-segment-vector';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

const rep = (v: number, n: number): number[] => Array.from({ length: n }, () => v);
/**
 * 37 rows at 2 Hz: stopped (rows 0–9, brake held at 20), launch (10–14, pedal 30, +4 m/s²),
 * cruise (15–24, pedal 10), braking (25–28, brake 40, −4 m/s²), stopped (29–36, brake 25).
 */
const DRIVE = {
  accel: [...rep(0, 10), ...rep(4, 5), ...rep(0, 10), ...rep(-4, 4), ...rep(0, 8)],
  brake: [...rep(20, 10), ...rep(0, 15), ...rep(40, 4), ...rep(25, 8)],
  pedal: [...rep(0, 10), ...rep(30, 5), ...rep(10, 10), ...rep(0, 12)],
  speed: [...rep(0, 10), 2, 4, 6, 8, 10, ...rep(10, 10), 8, 6, 4, 2, ...rep(0, 8)],
};
const at = (v: Float64Array, name: string): number => {
  const i = SEGMENT_STYLE_VECTOR_NAMES.indexOf(name);
  if (i < 0) throw new Error(`no feature ${name}`);
  return v[i];
};

describe('segmentStyleVector', () => {
  const v = segmentStyleVector(DRIVE, 2);

  it('has one unique name per statistic', () => {
    expect(new Set(SEGMENT_STYLE_VECTOR_NAMES).size).toBe(SEGMENT_STYLE_VECTOR_DIM);
    expect(v.length).toBe(SEGMENT_STYLE_VECTOR_DIM);
  });

  it('reads the brake held after 3 s of standing, quantisation and the launch', () => {
    // Held rows: 5 of the first stop (20), 3 of the last (25).
    expect(at(v, 'hold_brake_q0.5')).toBe(20);
    expect(at(v, 'hold_brake_q0.75')).toBe(25);
    expect(at(v, 'stop_share')).toBeCloseTo(18 / 37, 12);
    expect(at(v, 'pedal_on_grid_5')).toBe(1);
    // Brake values 20 ×10, 40 ×4 on the 2-grid, 25 ×8 not.
    expect(at(v, 'brake_on_grid_2')).toBeCloseTo(14 / 22, 12);
    expect(at(v, 'launch_pedal_q0.5')).toBe(30);
    expect(at(v, 'launch_accel_q0.5')).toBe(4);
    expect(at(v, 'hold_rise_s_q0.5')).toBe(0);
    expect(at(v, 'accel_on_brake_q0.5')).toBe(-4);
    expect(at(v, 'coast_share')).toBe(0);
    expect(at(v, 'moving_speed_q0.5')).toBe(10);
  });

  it('aligns pedal, brake and acceleration on launches, stops and brake onsets', () => {
    // One launch anchored at row 9 and one stop at row 29 (per minute; a shorter segment counts
    // as one minute).
    expect(at(v, 'launch_count')).toBe(1);
    expect(at(v, 'stop_count')).toBe(1);
    expect(at(v, 'launch_brake_rel@-1')).toBe(1);
    expect(at(v, 'launch_pedal@0.5')).toBe(30);
    expect(at(v, 'launch_accel@1')).toBe(4);
    expect(at(v, 'stop_brake@-1')).toBe(40);
    expect(at(v, 'stop_brake@1')).toBe(25);
    // Brake onset at row 25.
    expect(at(v, 'onset_accel@0')).toBe(-4);
    expect(at(v, 'onset_accel@-1')).toBe(0);
    expect(at(v, 'launch_pedal@5')).toBe(10);
  });

  it('gives NaN for what the segment does not show, and derives acceleration from speed', () => {
    const cruise = { brake: rep(0, 50), pedal: rep(12, 50), speed: rep(20, 50) };
    const c = segmentStyleVector(cruise, 1);
    expect(Number.isNaN(at(c, 'hold_brake_q0.5'))).toBe(true);
    expect(Number.isNaN(at(c, 'launch_accel@1'))).toBe(true);
    expect(at(c, 'accel_on_pedal_q0.5')).toBe(0);
    expect(() => segmentStyleVector({ ...cruise, brake: rep(0, 3) }, 1)).toThrow(
      'brake has 3 rows, speed 50',
    );
  });
});

describe('segment dynamics', () => {
  it('correlates at lags, skipping NaN', () => {
    const alt = Float64Array.from({ length: 40 }, (_, i) => (i % 2 ? -1 : 1));
    expect(laggedCorrelation(alt, alt, 1)).toBeCloseTo(-1, 12);
    expect(laggedCorrelation(alt, alt, 2)).toBeCloseTo(1, 12);
    expect(Number.isNaN(laggedCorrelation(alt.subarray(0, 10), alt.subarray(0, 10), 1))).toBe(true);
    const flat = new Float64Array(40).fill(3);
    expect(Number.isNaN(laggedCorrelation(flat, flat, 1))).toBe(true);
  });

  it('tells which way the response goes: the pedal following the acceleration 0.3 s later', () => {
    // A random acceleration at 10 Hz; the pedal copies its changes three rows later.
    let seed = 7;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const n = 400;
    const accel = Array.from({ length: n }, rand);
    const pedal = accel.map((_, i) => 20 + 10 * (i >= 3 ? accel[i - 3] : 0));
    const f = segmentDynamicsFeatures({ accel, brake: rep(0, n), pedal, speed: rep(15, n) }, 10);
    const at = (name: string): number => {
      const names = SEGMENT_STYLE_VECTOR_NAMES.slice(SEGMENT_STYLE_VECTOR_DIM - f.length);
      return f[names.indexOf(name)];
    };
    expect(at('jerk_to_command_change@0.3')).toBeCloseTo(1, 6);
    expect(Math.abs(at('command_change_to_jerk@0.3'))).toBeLessThan(0.2);
  });

  it('is NaN everywhere for a vehicle that never moves', () => {
    const still = { accel: rep(0, 60), brake: rep(20, 60), pedal: rep(0, 60), speed: rep(0, 60) };
    expect(Array.from(segmentDynamicsFeatures(still, 10)).every(Number.isNaN)).toBe(true);
  });
});

describe('SegmentStyleHead', () => {
  it('flags missing statistics as an input, normalises, and leaks nothing', () => {
    const sut = new SegmentStyleHead({ embeddingDim: 3, featureDim: 2, hiddenDim: 4, seed: 1 });
    sut.setStandardisation([5, 10], [1, 2]);
    const before = tf.memory().numTensors;
    const [atMean, missing, other] = sut.embed([
      [6, 10],
      [6, Number.NaN],
      [8, 10],
    ]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.hypot(...atMean)).toBeCloseTo(1, 5);
    // The missing flag is an input too, so a missing value differs from one at the mean...
    expect(Array.from(missing)).not.toEqual(Array.from(atMean));
    // ...and a different value differs.
    expect(Array.from(other)).not.toEqual(Array.from(atMean));
    expect(() => sut.embed([[1, 2, 3]])).toThrow('a row has 3 values, expected 2');
    sut.dispose();
  });

  it('round-trips through segment-style-head.json and refuses another statistics layout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-seg-head-'));
    try {
      expect(readSegmentStyleHead(dir).head).toBeUndefined();
      const head = new SegmentStyleHead({ embeddingDim: 4, hiddenDim: 6, seed: 2 });
      const row = segmentStyleVector(DRIVE, 2);
      const expected = head.embed([row])[0];
      await writeSegmentStyleHead(dir, serialiseSegmentStyleHead(head, { note: 'test' }));
      head.dispose();
      const loaded = readSegmentStyleHead(dir);
      if (!loaded.head) throw new Error(loaded.reason);
      expect(loaded.file.extra).toEqual({ note: 'test' });
      expect(loaded.head.getConfig()).toEqual({
        clip: 6,
        embeddingDim: 4,
        featureDim: SEGMENT_STYLE_VECTOR_DIM,
        hiddenDim: 6,
        seed: 2,
      });
      Array.from(loaded.head.embed([row])[0]).forEach((x, j) => expect(x).toBe(expected[j]));
      const file = loaded.file;
      loaded.head.dispose();
      expect(() =>
        deserialiseSegmentStyleHead({ ...file, featureNames: file.featureNames.slice(1) }),
      ).toThrow(/re-run fleetfm finetune --trainable segment-style/);
      expect(fs.existsSync(path.join(dir, SEGMENT_STYLE_HEAD_JSON))).toBe(true);
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });
});
