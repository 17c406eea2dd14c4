import { SIGNAL_NAMES, ValidationError, type TelemetrySample } from '@fleetfm/domain';
import { AnomalyInjector } from '../anomaly/anomaly-injector';
import type { AnomalyLabelSink } from '../anomaly/label.sink';
import { sampleDriverStyle, tripStyle, type DriverStyle } from '../driver/driver-style';
import { VehicleModel } from '../physics/vehicle.model';
import { sampleVehicle, VEHICLE_PRESET_NAMES, type VehicleParams } from '../physics/vehicle-params';
import { Prng } from '../random/prng';
import type { SpeedTrace } from '../traces/speed-trace';
import { loadTraceLibrary } from '../traces/trace-library';
import { readSignals } from '../trip/read-signals';
import { TripRunner } from '../trip/trip-runner';
import { DEFAULT_START_TS, type FleetOptions } from './fleet-options';
import { buildSample } from './sample-builder';

export interface FleetVehicle {
  readonly vehicleId: string;
  readonly params: VehicleParams;
}

export interface FleetDriver {
  readonly driverId: string;
  /** The driver's stable style (each trip perturbs it slightly). */
  readonly style: DriverStyle;
}

/** Below this SOC at the end of a trip the vehicle is charged before the next one. */
const RECHARGE_BELOW = 0.2;

interface Slot {
  readonly info: FleetVehicle;
  readonly model: VehicleModel;
  readonly rng: Prng;
  readonly pool: readonly number[];
  readonly injector: AnomalyInjector;
  tripIndex: number;
  runner: TripRunner;
  driverIndex: number;
  tripId: string;
  tripStartTs: number;
  startSoc: number;
  startEnergyJ: number;
  startDistanceM: number;
}

const id = (prefix: string, i: number): string => `${prefix}-${String(i + 1).padStart(3, '0')}`;

/**
 * A seeded fleet of EVs, each driving an endless sequence of trips (standard cycles and real GPS
 * traces) with drivers rotating between trips. `step()` advances every vehicle one sample;
 * nothing depends on wall time, so the same options give the same samples. Ground truth (trips,
 * anomalies) goes to `labelSink`.
 */
export class FleetSimulator {
  readonly vehicles: readonly FleetVehicle[];
  readonly drivers: readonly FleetDriver[];
  readonly rateHz: number;
  private tick = 0;
  private readonly slots: Slot[];
  private readonly startTs: number;
  private readonly cycles: readonly SpeedTrace[];
  private readonly gps: readonly SpeedTrace[];
  private readonly gpsShare: number;
  private readonly substeps: number;
  private readonly sink?: AnomalyLabelSink;
  private readonly values = new Float64Array(SIGNAL_NAMES.length);

  constructor(readonly options: FleetOptions) {
    const { vehicles } = options;
    const drivers = options.drivers ?? vehicles;
    this.rateHz = options.rateHz ?? 10;
    if (!Number.isInteger(vehicles) || vehicles < 0)
      throw new ValidationError('vehicles must be a whole number ≥ 0');
    if (!Number.isInteger(drivers) || (vehicles > 0 && drivers < 1))
      throw new ValidationError('drivers must be a whole number ≥ 1');
    if (!(this.rateHz > 0)) throw new ValidationError('rateHz must be positive');
    const seed = options.seed ?? 42;
    const root = new Prng(seed);
    const library = options.library ?? loadTraceLibrary(options.dataDir);
    const wanted = options.cycles;
    this.cycles = library.cycles.filter((c) =>
      wanted ? wanted.includes(c.scenario) : c.scenario !== 'accel',
    );
    this.gps = library.gpsTrips;
    if (this.cycles.length === 0 && this.gps.length === 0)
      throw new ValidationError('No speed traces to drive', { cycles: wanted });
    this.gpsShare =
      this.cycles.length === 0 ? 1 : this.gps.length === 0 ? 0 : (options.gpsShare ?? 0.5);
    this.substeps = options.substeps ?? 1;
    this.startTs = options.startTs ?? DEFAULT_START_TS;
    this.sink = options.labelSink;
    const presets = options.presets ?? VEHICLE_PRESET_NAMES;

    this.drivers = Array.from({ length: drivers }, (_, j) => ({
      driverId: id('drv', j),
      style: sampleDriverStyle(root.fork('driver', j)),
    }));
    this.vehicles = Array.from({ length: vehicles }, (_, i) => ({
      vehicleId: id('veh', i),
      params: sampleVehicle(presets[i % presets.length], root.fork('vehicle', i)),
    }));
    this.slots = this.vehicles.map((info, i) => {
      // Each vehicle owns the drivers j ≡ i (mod vehicles), so no driver is in two cars at once;
      // with fewer drivers than vehicles they must share.
      const pool =
        drivers >= vehicles ? range(drivers).filter((j) => j % vehicles === i) : [i % drivers];
      const model = new VehicleModel(info.params);
      const injector = new AnomalyInjector(
        info.vehicleId,
        root.fork('anomaly', i),
        options.anomalyRate ?? 0,
        1 / this.rateHz,
        (label) => this.sink?.writeAnomaly(label),
      );
      const slot = {
        info,
        model,
        rng: root.fork('trips', i),
        pool,
        injector,
        tripIndex: -1,
      } as unknown as Slot;
      this.startTrip(slot, this.startTs);
      return slot;
    });
  }

  /** Timestamp the next `step()` will carry, epoch ms. */
  get nextTs(): number {
    return this.tsOf(this.tick);
  }

  get ticks(): number {
    return this.tick;
  }

  /** One sample for every vehicle. */
  step(): TelemetrySample[] {
    const tick = this.tick++;
    const ts = this.tsOf(tick);
    const out: TelemetrySample[] = new Array(this.slots.length);
    const values = this.values;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      slot.injector.beforeTick(tick, ts, slot.runner);
      slot.runner.tick();
      readSignals(slot.runner, values);
      const driverId = this.drivers[slot.driverIndex].driverId;
      const sample = buildSample(slot.info.vehicleId, driverId, ts, values);
      slot.injector.apply(tick, ts, sample.signals, driverId, slot.tripId);
      out[i] = sample;
      if (slot.runner.done) {
        this.endTrip(slot, ts, true);
        this.startTrip(slot, this.tsOf(tick + 1));
      }
    }
    return out;
  }

  /** `ticks` steps, concatenated. */
  run(ticks: number): TelemetrySample[] {
    const out: TelemetrySample[] = [];
    for (let k = 0; k < ticks; k++) out.push(...this.step());
    return out;
  }

  /**
   * Writes the trips in progress as incomplete, labels the anomalies still in progress up to the
   * last sample they touched, and closes the label sink.
   */
  async close(): Promise<void> {
    const ts = this.tsOf(Math.max(0, this.tick - 1));
    for (const slot of this.slots) slot.injector.flush();
    for (const slot of this.slots) this.endTrip(slot, ts, false);
    await this.sink?.close();
  }

  private tsOf(tick: number): number {
    return Math.round(this.startTs + (tick * 1000) / this.rateHz);
  }

  private startTrip(slot: Slot, ts: number): void {
    slot.tripIndex++;
    const rng = slot.rng.fork('trip', slot.tripIndex);
    if (slot.model.soc < RECHARGE_BELOW) slot.model.setSoc(rng.uniform(0.8, 0.95));
    slot.driverIndex = rng.pick(slot.pool);
    const pool = rng.chance(this.gpsShare) ? this.gps : this.cycles;
    const trace = rng.pick(pool);
    const style = tripStyle(this.drivers[slot.driverIndex].style, rng.fork('style'));
    slot.runner = new TripRunner(trace, slot.model, style, 1 / this.rateHz, this.substeps);
    slot.tripId = `${slot.info.vehicleId}-trip-${String(slot.tripIndex).padStart(4, '0')}`;
    slot.tripStartTs = ts;
    slot.startSoc = slot.model.soc;
    slot.startEnergyJ = slot.model.ledger.terminalJ;
    slot.startDistanceM = slot.model.ledger.distanceM;
  }

  private endTrip(slot: Slot, ts: number, complete: boolean): void {
    const ledger = slot.model.ledger;
    this.sink?.writeTrip({
      tripId: slot.tripId,
      vehicleId: slot.info.vehicleId,
      driverId: this.drivers[slot.driverIndex].driverId,
      vehiclePreset: slot.info.params.preset,
      scenario: slot.runner.trace.scenario,
      traceName: slot.runner.trace.name,
      startTs: slot.tripStartTs,
      endTs: ts,
      distanceM: ledger.distanceM - slot.startDistanceM,
      batteryWh: (ledger.terminalJ - slot.startEnergyJ) / 3600,
      startSocPct: slot.startSoc * 100,
      endSocPct: slot.model.soc * 100,
      complete,
    });
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
