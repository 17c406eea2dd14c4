import { ValidationError } from '@fleetfm/domain';
import type { Prng } from '../random/prng';
import { RoadWalk, type RoadBlock } from './road-network';
import type { SpeedTrace } from './speed-trace';

export interface ProceduralRouteOptions {
  /** Driving time after which the route heads for its final stop, s. Default log-uniform 300–2,400. */
  readonly durationS?: number;
  /** Odds of entering a highway, 0..1 (0: never). Default uniform in [0, 1) per route. */
  readonly highwayBias?: number;
}

/** How the reference driver of one route drives it (drawn per route). */
interface RouteDriver {
  /** Cruise speed relative to the posted limit. */
  readonly limitFactor: number;
  readonly maxAccel: number;
  readonly comfortDecel: number;
  /** Ornstein–Uhlenbeck wander of the cruise speed: sd (m/s) and time constant (s). */
  readonly wanderSd: number;
  readonly wanderTauS: number;
}

const DT = 0.1;
const STEPS_PER_S = 10;
/** Hard braking limit, m/s²: the comfortable profile never needs it except after a short block. */
const MAX_DECEL = 4;
/** Events further ahead than this do not constrain the speed, m. */
const LOOKAHEAD_M = 800;

/**
 * A random route over a procedurally generated street network, as a 1 Hz speed target for the
 * simulator: blocks of local streets, collectors, arterials and highways with posted limits,
 * stop signs, traffic lights (red half the time, waits of 1–50 s), turns and ramp curves,
 * stop-and-go congestion, and a smooth random grade on hilly routes. A reference driver cruises
 * at a route-specific fraction of the limit with a slow wander, accelerates with a limit that
 * falls with speed and brakes ahead of every stop or slower block, so the profile is physically
 * drivable. Gives pretraining trips on roads no recorded vehicle drove: without them, the
 * simulated fleet knows only the dozen drive cycles and the train-split GPS routes.
 * Deterministic in the generator's state.
 */
export function proceduralRoute(
  rng: Prng,
  name: string,
  options: ProceduralRouteOptions = {},
): SpeedTrace {
  const durationS = options.durationS ?? rng.logUniform(300, 2400);
  const highwayBias = options.highwayBias ?? rng.next();
  if (!(durationS > 0 && durationS <= 86_400)) {
    throw new ValidationError(`a procedural route lasts (0, 86400] s, got ${durationS}`);
  }
  if (!(highwayBias >= 0 && highwayBias <= 1)) {
    throw new ValidationError(`highwayBias must be in [0, 1], got ${highwayBias}`);
  }
  const driver: RouteDriver = {
    comfortDecel: rng.uniform(1.0, 2.2),
    limitFactor: Math.min(1.2, Math.max(0.85, rng.normal(1.03, 0.06))),
    maxAccel: rng.uniform(1.0, 2.2),
    wanderSd: rng.uniform(0.5, 1.5),
    wanderTauS: rng.uniform(10, 40),
  };
  const speed = driveBlocks(new RoadWalk(rng.fork('blocks'), highwayBias), driver, durationS, rng);
  return {
    grade: gradeProfile(rng.fork('grade'), speed),
    name,
    scenario: 'procedural',
    source: 'procedural',
    speedMps: speed,
  };
}

/**
 * The highest speed from which the driver can still brake comfortably to what each upcoming
 * block end within the look-ahead allows (a stop, a turn, a lower limit); the route's last block
 * ends in a stop once it is finishing.
 */
function limitAhead(
  blocks: readonly RoadBlock[],
  xInBlock: number,
  driver: RouteDriver,
  finishing: boolean,
): number {
  let allowed = Number.POSITIVE_INFINITY;
  let dist = blocks[0].lengthM - xInBlock;
  for (let i = 0; i < blocks.length && dist < LOOKAHEAD_M; i++) {
    const b = blocks[i];
    const last = finishing && i === 0;
    let vEnd = Number.POSITIVE_INFINITY;
    if (last || b.end.kind === 'stop') vEnd = 0;
    else if (b.end.kind === 'slow') vEnd = b.end.speedMps;
    else if (i + 1 < blocks.length) vEnd = blocks[i + 1].limitMps * driver.limitFactor;
    allowed = Math.min(
      allowed,
      Math.sqrt(vEnd * vEnd + 2 * driver.comfortDecel * Math.max(0, dist)),
    );
    if (last) break;
    if (i + 1 < blocks.length) dist += blocks[i + 1].lengthM;
  }
  return allowed;
}

function driveBlocks(
  walk: RoadWalk,
  driver: RouteDriver,
  durationS: number,
  rng: Prng,
): Float64Array {
  const out: number[] = [];
  const ahead: RoadBlock[] = [walk.next(), walk.next(), walk.next()];
  let v = 0;
  let x = 0;
  let t = 0;
  let blockT = 0;
  let wander = 0;
  let dwell = rng.uniform(0, 10);
  let finishing = false;
  const wanderDecay = Math.exp(-DT / driver.wanderTauS);
  const wanderKick = driver.wanderSd * Math.sqrt(1 - wanderDecay * wanderDecay);
  // A route that somehow never reaches its final stop still ends (twice its duration + 10 min).
  const maxSteps = Math.ceil((2 * durationS + 600) * STEPS_PER_S);
  for (let step = 0; step <= maxSteps; step++) {
    if (step % STEPS_PER_S === 0) out.push(v);
    if (finishing && dwell <= 0 && v === 0 && x === 0) break;
    t += DT;
    if (dwell > 0) {
      dwell -= DT;
      continue;
    }
    if (!finishing && t >= durationS) {
      finishing = true;
      // Head for the final stop within a few hundred metres rather than the end of a long block.
      ahead[0] = { ...ahead[0], lengthM: Math.min(ahead[0].lengthM, x + rng.uniform(80, 400)) };
    }
    const block = ahead[0];
    wander = wander * wanderDecay + wanderKick * rng.normal();
    let cruise = block.limitMps * driver.limitFactor + wander;
    const c = block.congestion;
    if (c) {
      cruise = Math.min(
        cruise,
        c.meanMps + c.amplitudeMps * Math.sin((2 * Math.PI * blockT) / c.periodS),
      );
    }
    const target = Math.max(0, Math.min(cruise, limitAhead(ahead, x, driver, finishing)));
    // Acceleration falls off with speed (engine power); braking follows the planned profile.
    const accelCap = driver.maxAccel * Math.max(0.25, 1 - v / 40);
    const a = Math.max(-MAX_DECEL, Math.min(accelCap, (target - v) / (target < v ? DT : 1.5)));
    v = Math.max(0, v + a * DT);
    x += v * DT;
    blockT += DT;
    const remaining = block.lengthM - x;
    const mustStop = finishing || block.end.kind === 'stop';
    if (mustStop && (remaining <= 0.3 || (v < 0.3 && remaining < 3))) {
      v = 0;
      x = 0;
      blockT = 0;
      if (finishing) {
        // Parked: the logger runs a few more seconds, then the loop's first check ends the route.
        dwell = rng.uniform(2, 10);
        ahead.length = 0;
        ahead.push({ ...block, end: { kind: 'none' } });
        continue;
      }
      dwell = block.end.kind === 'stop' ? block.end.dwellS : 0;
      ahead.shift();
      ahead.push(walk.next());
    } else if (remaining <= 0) {
      x = -remaining;
      blockT = 0;
      ahead.shift();
      ahead.push(walk.next());
    }
  }
  return Float64Array.from(out);
}

/**
 * Half the routes are flat; the others get a smooth random grade (an Ornstein–Uhlenbeck process
 * in distance, correlation length 200–800 m, sd 1–4 %), sampled at the route's 1 Hz positions.
 */
function gradeProfile(rng: Prng, speed: Float64Array): Float64Array {
  const grade = new Float64Array(speed.length);
  if (rng.chance(0.5)) return grade;
  const sd = rng.uniform(0.01, 0.04);
  const lengthM = rng.uniform(200, 800);
  let g = rng.normal(0, sd);
  for (let i = 0; i < speed.length; i++) {
    const metres = speed[i];
    const decay = Math.exp(-metres / lengthM);
    g = g * decay + sd * Math.sqrt(1 - decay * decay) * rng.normal();
    grade[i] = g;
  }
  return grade;
}
