import { Prng } from '../random/prng';

/**
 * How one person drives. Stable per driver (drawn once from the driver's seed); each trip
 * perturbs it slightly (`tripStyle`), so that a driver is recognisable across trips but never
 * identical. Every field changes the telemetry in its own way, which is what a driver-ID model
 * needs.
 */
export interface DriverStyle {
  /** 0 calm .. 1 aggressive: scales accelerations, decelerations and jerk the driver accepts. */
  readonly aggressiveness: number;
  /** How far ahead on the speed target the driver looks, s. */
  readonly anticipationS: number;
  /** Multiplies the target speed (some drive 8 % under, some 12 % over). */
  readonly speedFactor: number;
  /** Delay between perceiving and acting on the pedals, s. */
  readonly reactionTimeS: number;
  /** Time constant of the driver's foot: large = smooth pedal traces, s. */
  readonly pedalSmoothingS: number;
  /** Pedal positions are held at multiples of this (%), 0 = continuous. */
  readonly pedalStepPct: number;
  /** Decelerations up to this are done by coasting rather than braking, m/s². */
  readonly coastDecelMps2: number;
  /** Brake held while standing still, %. */
  readonly holdBrakePct: number;
  /** Integral gain on speed error (how persistently the driver corrects drift), 1/s. */
  readonly integralGain: number;
}

const PEDAL_STEPS = [0, 0.5, 1, 2, 5];

/** A driver's stable style, from their own seeded stream. */
export function sampleDriverStyle(rng: Prng): DriverStyle {
  return {
    aggressiveness: rng.next(),
    anticipationS: rng.uniform(0.5, 4),
    speedFactor: clamp(rng.normal(1, 0.06), 0.88, 1.15),
    reactionTimeS: rng.uniform(0.3, 1.2),
    pedalSmoothingS: rng.uniform(0.1, 0.8),
    pedalStepPct: rng.pick(PEDAL_STEPS),
    coastDecelMps2: rng.uniform(0.05, 0.6),
    holdBrakePct: rng.uniform(12, 40),
    integralGain: rng.uniform(0.05, 0.3),
  };
}

/**
 * The style on one trip: each continuous parameter moves by a few percent (mood, traffic,
 * weather). `noise` is the relative standard deviation (default 4 %).
 */
export function tripStyle(style: DriverStyle, rng: Prng, noise = 0.04): DriverStyle {
  const j = (x: number): number => x * (1 + noise * clamp(rng.normal(), -3, 3));
  return {
    aggressiveness: clamp(style.aggressiveness + noise * rng.normal(), 0, 1),
    anticipationS: j(style.anticipationS),
    speedFactor: j(style.speedFactor),
    reactionTimeS: j(style.reactionTimeS),
    pedalSmoothingS: j(style.pedalSmoothingS),
    pedalStepPct: style.pedalStepPct,
    coastDecelMps2: j(style.coastDecelMps2),
    holdBrakePct: j(style.holdBrakePct),
    integralGain: j(style.integralGain),
  };
}

/** A neutral, repeatable driver for tests and reference consumption figures. */
export const REFERENCE_DRIVER: DriverStyle = {
  aggressiveness: 0.3,
  anticipationS: 1.5,
  speedFactor: 1,
  reactionTimeS: 0.4,
  pedalSmoothingS: 0.2,
  pedalStepPct: 0,
  coastDecelMps2: 0.2,
  holdBrakePct: 20,
  integralGain: 0.15,
};

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
