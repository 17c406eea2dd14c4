import type { CorpusSeriesInput } from '../corpus/corpus-record';

/** The shape of a simulated trip (the simulator's `TripColumns` fits it). */
export interface SimulatedTripLike {
  readonly rateHz: number;
  readonly signals: Readonly<Record<string, Float32Array>>;
}

export interface SimulatedTripLabels {
  /** Unique trip name, e.g. `fleet-3/v12/d4/udds#2`; series ids are `sim:<trip>:<channel>`. */
  readonly trip: string;
  readonly vehicleId: string;
  readonly driverId: string;
  /** Cycle or road type the trip followed. */
  readonly scenario: string;
  /** Signals to keep; default every signal of the trip. */
  readonly channels?: readonly string[];
}

/**
 * One corpus series per signal of a simulated trip, grouped by trip (so views of one trip can be
 * paired) and split by its vehicle and driver. What a `buildCorpus` simulator source yields.
 */
export function simulatedTripSeries(
  trip: SimulatedTripLike,
  labels: SimulatedTripLabels,
): CorpusSeriesInput[] {
  const channels = labels.channels ?? Object.keys(trip.signals).sort();
  return channels.map((channel) => {
    const values = trip.signals[channel];
    if (!values) throw new RangeError(`simulated trip ${labels.trip} has no signal ${channel}`);
    return {
      channel,
      driverId: labels.driverId,
      freqS: 1 / trip.rateHz,
      group: labels.trip,
      id: `sim:${labels.trip}:${channel}`,
      scenario: labels.scenario,
      source: 'sim',
      values,
      vehicleId: labels.vehicleId,
    };
  });
}
