import type { Prng } from '../random/prng';

const MPH = 0.44704;

/** A class of road: its posted limits, block lengths and what happens at the end of a block. */
export interface RoadClass {
  readonly name: 'local' | 'collector' | 'arterial' | 'highway';
  /** Posted limits to draw from, m/s (5 mph steps, as signed in the US survey our GPS comes from). */
  readonly limitsMps: readonly number[];
  /** Block length range, m (log-uniform). */
  readonly lengthM: readonly [number, number];
  /** Probability that a block ends at a stop sign / a traffic light / a turn or ramp curve. */
  readonly stopSign: number;
  readonly signal: number;
  readonly turn: number;
  /** Probability that a block is congested (stop-and-go waves instead of free flow). */
  readonly congestion: number;
  /** Transition weights to the next block's class, in `ROAD_CLASSES` order. */
  readonly next: readonly number[];
}

const mph = (...v: number[]): number[] => v.map((x) => x * MPH);

/**
 * Road classes of a North American street network, loosely matched to the CMAP GPS trips of the
 * vehicles that the evaluation does not hold out (median moving speed 35 mph, 90th percentile
 * 60 mph, 4.6 % of the time stopped, about one stop per 2 km): local streets with stop signs,
 * collectors and arterials with signals, highways with ramps and congestion.
 */
export const ROAD_CLASSES: readonly RoadClass[] = [
  {
    congestion: 0,
    lengthM: [120, 500],
    limitsMps: mph(20, 25, 30),
    name: 'local',
    next: [0.35, 0.5, 0.15, 0],
    signal: 0.1,
    stopSign: 0.4,
    turn: 0.3,
  },
  {
    congestion: 0.05,
    lengthM: [300, 1500],
    limitsMps: mph(30, 35, 40),
    name: 'collector',
    next: [0.2, 0.3, 0.42, 0.08],
    signal: 0.35,
    stopSign: 0.08,
    turn: 0.2,
  },
  {
    congestion: 0.1,
    lengthM: [400, 3000],
    limitsMps: mph(40, 45, 50, 55),
    name: 'arterial',
    next: [0.05, 0.3, 0.35, 0.3],
    signal: 0.45,
    stopSign: 0,
    turn: 0.12,
  },
  {
    congestion: 0.15,
    lengthM: [1500, 12000],
    limitsMps: mph(55, 60, 65, 70),
    name: 'highway',
    next: [0, 0.05, 0.45, 0.5],
    signal: 0,
    stopSign: 0,
    turn: 0.25,
  },
];

/** What the driver meets at the end of a block. */
export type BlockEnd =
  | { readonly kind: 'none' }
  | { readonly kind: 'stop'; readonly dwellS: number }
  | { readonly kind: 'slow'; readonly speedMps: number };

export interface Congestion {
  readonly meanMps: number;
  readonly amplitudeMps: number;
  readonly periodS: number;
}

export interface RoadBlock {
  readonly roadClass: RoadClass['name'];
  readonly lengthM: number;
  readonly limitMps: number;
  readonly end: BlockEnd;
  readonly congestion: Congestion | null;
}

function pickWeighted(rng: Prng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/**
 * An endless random walk over road blocks. `highwayBias` (0..1) scales the odds of entering a
 * highway, so that some routes stay in town and others are commutes.
 */
export class RoadWalk {
  private classIndex = 0;

  constructor(
    private readonly rng: Prng,
    private readonly highwayBias: number,
  ) {}

  next(): RoadBlock {
    const cls = ROAD_CLASSES[this.classIndex];
    const rng = this.rng;
    const lengthM = rng.logUniform(cls.lengthM[0], cls.lengthM[1]);
    const congested = rng.chance(cls.congestion);
    const u = rng.next();
    let end: BlockEnd = { kind: 'none' };
    if (u < cls.stopSign) end = { dwellS: rng.uniform(0.5, 3), kind: 'stop' };
    else if (u < cls.stopSign + cls.signal) {
      // Half the lights are red on arrival; the wait is what is left of the red phase, mostly
      // short (the GPS trips' stops last 3 s at the median, 15 s at the 90th percentile).
      end = rng.chance(0.5) ? { dwellS: rng.logUniform(1, 50), kind: 'stop' } : { kind: 'none' };
    } else if (u < cls.stopSign + cls.signal + cls.turn) {
      end = {
        kind: 'slow',
        speedMps: cls.name === 'highway' ? rng.uniform(12, 20) : rng.uniform(3.5, 7.5),
      };
    }
    let congestion: Congestion | null = null;
    if (congested) {
      const meanMps = rng.uniform(2, 10);
      congestion = {
        amplitudeMps: meanMps * rng.uniform(0.5, 1.2),
        meanMps,
        periodS: rng.uniform(40, 150),
      };
    }
    const block: RoadBlock = {
      congestion,
      end,
      lengthM,
      limitMps: rng.pick(cls.limitsMps),
      roadClass: cls.name,
    };
    const weights = cls.next.map((w, i) =>
      ROAD_CLASSES[i].name === 'highway' ? w * 2 * this.highwayBias : w,
    );
    this.classIndex = pickWeighted(rng, weights);
    return block;
  }
}
