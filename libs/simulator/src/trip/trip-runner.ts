import { DriverController } from '../driver/driver.controller';
import type { DriverStyle } from '../driver/driver-style';
import { VehicleModel } from '../physics/vehicle.model';
import { interpolate1Hz, traceDurationS, type SpeedTrace } from '../traces/speed-trace';

/** After the trace ends, give the driver this long to come to a stop before ending the trip, s. */
const STOP_GRACE_S = 60;

/**
 * One vehicle driving one trace with one driver: the per-tick loop shared by the fleet simulator
 * and the columnar corpus generator. A tick is one emitted sample; physics and driver run
 * `substeps` times per tick.
 */
export class TripRunner {
  /** Trip time at the end of the last tick, s. */
  t = 0;
  /** Road grade (rise/run) over the last tick. */
  grade = 0;
  readonly driver: DriverController;
  private readonly dtSub: number;
  private readonly durationS: number;

  constructor(
    readonly trace: SpeedTrace,
    readonly vehicle: VehicleModel,
    style: DriverStyle,
    readonly dtTick: number,
    readonly substeps = 1,
  ) {
    this.dtSub = dtTick / substeps;
    this.driver = new DriverController(style, vehicle, this.dtSub);
    this.durationS = traceDurationS(trace);
  }

  /** The trace is over and the vehicle stands still (or the grace period ran out). */
  get done(): boolean {
    return (
      this.t >= this.durationS &&
      ((this.vehicle.speedMps === 0 && !this.driver.braking) ||
        this.t >= this.durationS + STOP_GRACE_S)
    );
  }

  tick(): void {
    const speed = this.trace.speedMps;
    const lookahead = this.driver.style.anticipationS;
    for (let k = 0; k < this.substeps; k++) {
      const t = this.t;
      this.grade = interpolate1Hz(this.trace.grade, t);
      this.driver.update(
        t,
        interpolate1Hz(speed, t),
        interpolate1Hz(speed, t + lookahead),
        this.grade,
      );
      this.vehicle.step(this.driver.pedal, this.driver.brake, this.grade, this.dtSub);
      this.t = t + this.dtSub;
    }
  }
}
