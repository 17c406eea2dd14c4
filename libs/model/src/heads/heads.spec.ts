import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { forecastSurprise, SurpriseCalibrator } from './anomaly-score';
import { infoNceLoss, supervisedContrastiveLoss } from './contrastive-loss';
import { finishPinball, pinballLoss, pinballSums } from './pinball-loss';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

const LOG_1P_INV_E = 0.31326169; // log(1 + e^-1) = -log(e / (e + 1))

describe('pinballLoss', () => {
  it('matches hand-computed values and ignores masked steps', () => {
    // levels 0.1/0.9; y = 1; ŷ = [0, 2] -> 0.1·1 and 0.1·1 -> mean 0.1 over 2 levels
    const pred = tf.tensor3d([
      [
        [0, 2],
        [5, 5],
      ],
    ]);
    const target = tf.tensor2d([[1, 100]]);
    const mask = tf.tensor2d([[1, 0]]);
    expect(pinballLoss(pred, target, mask, [0.1, 0.9]).dataSync()[0]).toBeCloseTo(0.1, 5);
    // y = 3 above both: 0.1·3 + 0.9·1 = 1.2 -> mean 0.6
    const p2 = tf.tensor3d([[[0, 2]]]);
    expect(
      pinballLoss(p2, tf.tensor2d([[3]]), tf.tensor2d([[1]]), [0.1, 0.9]).dataSync()[0],
    ).toBeCloseTo(0.6, 5);
  });

  // Level 0.5 (pinball = |error| / 2), 2 steps: window A errs by 0.2 (pinball 0.1), window B by
  // 0.8 (0.4), window C has no observed step (it must count in neither aggregation).
  const windows = (): [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D] => [
    tf.tensor3d([
      [[0.2], [0.2]],
      [[0.8], [-0.8]],
      [[9], [9]],
    ]),
    tf.zeros([3, 2]) as tf.Tensor2D,
    tf.tensor2d([
      [1, 1],
      [1, 1],
      [0, 0],
    ]),
  ];

  it('geometric aggregation is exp(mean log(pinball_w + ε)) − ε over observed windows', () => {
    const [pred, target, mask] = windows();
    const geo = { aggregation: 'geometric', epsilon: 0.02 } as const;
    // sqrt(0.12 · 0.42) − 0.02
    const expected = Math.sqrt(0.12 * 0.42) - 0.02;
    expect(pinballLoss(pred, target, mask, [0.5], geo).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(pinballLoss(pred, target, mask, [0.5]).dataSync()[0]).toBeCloseTo(0.25, 5);
    const sums = pinballSums(pred, target, mask, [0.5], geo);
    expect(sums.count).toBe(2);
    expect(finishPinball(sums.sum, sums.count, geo)).toBeCloseTo(expected, 5);
    const mean = pinballSums(pred, target, mask, [0.5]);
    expect(mean).toEqual({ count: 4, sum: expect.closeTo(1, 5) as number });
    expect(finishPinball(0, 0, geo)).toBeNaN();
  });

  it('geometric aggregation weighs each window by 1 / (pinball_w + ε)', () => {
    const [pred, target, mask] = windows();
    const geo = { aggregation: 'geometric', epsilon: 0.02 } as const;
    const g = tf.grad((p: tf.Tensor) => pinballLoss(p as tf.Tensor3D, target, mask, [0.5], geo))(
      pred,
    );
    const d = g.dataSync();
    // |∂/∂ŷ| of one step: 0.5 / 2 steps / (pinball_w + ε), times the same outer factor.
    expect(Math.abs(d[0]) / Math.abs(d[2])).toBeCloseTo(0.42 / 0.12, 4);
    expect(Math.abs(d[4])).toBe(0);
    expect(Math.abs(d[5])).toBe(0);
  });

  it("naiveEpsilon adds r × each window's naive loss to its ε", () => {
    const [pred, target, mask] = windows();
    // Window A's naive errs by 0.4 (naive pinball ½ · 0.4 = 0.2): ε 0.02 + 0.5 · 0.2 = 0.12;
    // window B's naive forecasts its zero target exactly: ε stays 0.02.
    const errors = Float32Array.from([0.4, 0, 5]);
    const rel = { aggregation: 'geometric', epsilon: 0.02, naiveEpsilon: 0.5 } as const;
    const expected = Math.sqrt((0.1 + 0.12) * (0.4 + 0.02)) - 0.02;
    expect(pinballLoss(pred, target, mask, [0.5], rel, errors).dataSync()[0]).toBeCloseTo(
      expected,
      5,
    );
    const before = tf.memory().numTensors;
    const sums = pinballSums(pred, target, mask, [0.5], rel, errors);
    expect(tf.memory().numTensors).toBe(before); // no leaked tensors
    expect(finishPinball(sums.sum, sums.count, rel)).toBeCloseTo(expected, 5);
    const d = tf
      .grad((p: tf.Tensor) => pinballLoss(p as tf.Tensor3D, target, mask, [0.5], rel, errors))(pred)
      .dataSync();
    expect(Math.abs(d[0]) / Math.abs(d[2])).toBeCloseTo(0.42 / 0.22, 4);
    expect(() => pinballLoss(pred, target, mask, [0.5], rel)).toThrow(/naive error of each/);
  });
});

describe('contrastive losses', () => {
  it('InfoNCE of orthonormal matching views is log(1 + 1/e) at τ = 1', () => {
    const a = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    expect(infoNceLoss(a, a, 1).dataSync()[0]).toBeCloseTo(LOG_1P_INV_E, 5);
    // Swapped views are the worst case: log(1 + e)
    const b = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    expect(infoNceLoss(a, b, 1).dataSync()[0]).toBeCloseTo(Math.log(1 + Math.E), 5);
  });

  it('SupCon averages over anchors that have positives', () => {
    const z = tf.tensor2d([
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    // anchors 0 and 1: positive sim 1 vs negative sim 0 -> log(1 + 1/e); anchor 2 has none
    expect(supervisedContrastiveLoss(z, [0, 0, 1], 1).dataSync()[0]).toBeCloseTo(LOG_1P_INV_E, 5);
    expect(supervisedContrastiveLoss(z, [0, 1, 2], 1).dataSync()[0]).toBe(0);
  });
});

describe('forecast surprise and calibration', () => {
  const levels = [0.1, 0.5, 0.9];
  const q = [
    Float32Array.from([-1, -1, -1]),
    Float32Array.from([0, 0, 0]),
    Float32Array.from([1, 1, 1]),
  ];

  it('scores by pinball loss over band width (closed form)', () => {
    const raw = forecastSurprise(Float32Array.from([3, 0, Number.NaN]), q, levels);
    // y = 3: (0.1·4 + 0.5·3 + 0.9·2) / 3 / 2 = 0.61667; y = 0: (0.1 + 0 + 0.1) / 3 / 2 = 0.03333
    expect(raw[0]).toBeCloseTo(0.6166667, 5);
    expect(raw[1]).toBeCloseTo(0.0333333, 5);
    expect(raw[2]).toBeNaN();
  });

  it('calibrates to [0, 1] with the empirical CDF and flags above the threshold', () => {
    const cal = SurpriseCalibrator.fit([4, 1, 3, 2, Number.NaN]);
    expect(cal.threshold).toBe(0.99);
    expect(cal.score(0)).toBe(0);
    expect(cal.score(2)).toBe(0.375); // 1 below + half a tie, of 4
    expect(cal.score(2.5)).toBe(0.5);
    expect(cal.score(10)).toBe(1);
    const { scores, flags } = cal.scoreAll(Float32Array.from([0.5, 9]));
    expect(Array.from(scores)).toEqual([0, 1]);
    expect(Array.from(flags)).toEqual([0, 1]);
    const again = SurpriseCalibrator.fromState(cal.toState());
    expect(again.score(2.5)).toBe(0.5);
    expect(() => SurpriseCalibrator.fit([Number.NaN])).toThrow(/at least one/);
  });

  it('flags about 1% of normal steps at the default threshold', () => {
    let s = 1;
    const rand = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
    const normal = Float32Array.from({ length: 5000 }, () => rand());
    const cal = SurpriseCalibrator.fit(normal);
    const fresh = Float32Array.from({ length: 5000 }, () => rand());
    const flagged = cal.scoreAll(fresh).flags.reduce((n, f) => n + f, 0);
    expect(flagged / 5000).toBeGreaterThan(0.005);
    expect(flagged / 5000).toBeLessThan(0.02);
  });
});
