import type { SignalName } from '@fleetfm/domain';
import {
  ExactCosineIndex,
  meanEmbedding,
  type DriverStyleModelPort,
  type EmbeddingService,
} from '@fleetfm/retrieval';
import type { HeldOutTrip } from '../heldout/held-out-fleet';
import { precisionAtK } from '../metrics/ranking-metrics';

export interface EmbeddingTaskOptions {
  /** Segment length, s (10 minutes in the issue). */
  readonly segmentS: number;
  /** Rows per window and between windows (the model's context length is the natural choice). */
  readonly window: number;
  readonly stride: number;
  readonly channels: readonly SignalName[];
  /** Trips per driver that go to the gallery; the rest are probes. */
  readonly galleryTrips: number;
  readonly k?: number;
  /** Which embeddings are in use (reported in the notes). */
  readonly notes?: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Segment {
  readonly trip: HeldOutTrip;
  readonly tripIndex: number;
  readonly index: number;
  /** Scenario embedding: per channel, the mean of its window embeddings; concatenated. */
  readonly embedding: Float32Array;
  /** Driver-style embedding of the whole segment (all channels together). */
  readonly style: Float32Array;
}

/** The two embedders the task compares: one per task, as the product serves them. */
export interface EmbeddingTaskEmbedders {
  readonly scenario: EmbeddingService;
  readonly driverStyle: DriverStyleModelPort;
}

export interface EmbeddingTaskResult {
  readonly drivers: number;
  readonly segments: number;
  readonly gallerySegments: number;
  readonly probeSegments: number;
  /** Share of probe segments whose nearest gallery segment has the same driver. */
  readonly driverTop1: number;
  /** Chance level: 1 / drivers. */
  readonly driverChance: number;
  readonly scenarios: Readonly<Record<string, number>>;
  /** Mean over segments of the share of its 10 nearest (other trips) with the same scenario. */
  readonly scenarioPrecisionAt10: number;
  /** What a random ranking would score (label frequencies). */
  readonly scenarioChance: number;
  readonly notes: readonly string[];
}

/**
 * Driver identification and scenario retrieval from embeddings. Each trip is cut into whole
 * segments. Driver ID uses the driver-style embedding of the segment (all channels together):
 * 1-NN (cosine) from probe segments to a gallery of segments from other trips of the same drivers
 * (split by trip, so no probe shares a trip with the gallery). Scenario retrieval uses the
 * scenario embedding (per channel, the mean of its window embeddings, concatenated over
 * channels): precision@k against scenario labels among segments of other trips.
 */
export async function evaluateEmbeddings(
  embedders: EmbeddingTaskEmbedders,
  trips: readonly HeldOutTrip[],
  o: EmbeddingTaskOptions,
): Promise<EmbeddingTaskResult> {
  const k = o.k ?? 10;
  const tripNo = new Map<string, number>();
  const segments: Segment[] = [];
  let done = 0;
  for (const trip of trips) {
    const n = trip.signals[o.channels[0]].length;
    const len = Math.round(o.segmentS * trip.rateHz);
    const index = tripNo.get(trip.driverId) ?? 0;
    tripNo.set(trip.driverId, index + 1);
    for (let s = 0; (s + 1) * len <= n; s++) {
      const from = s * len;
      const columns = o.channels.map((c) => ({
        name: c,
        values: trip.signals[c].subarray(from, from + len),
      }));
      const rows = await embedders.scenario.embed(
        { series: columns },
        { stride: o.stride, window: Math.min(o.window, len) },
      );
      const style = await embedders.driverStyle.embedSegment(columns, trip.rateHz);
      const parts = o.channels.map((c) =>
        meanEmbedding(rows.filter((r) => r.series === c).map((r) => r.embedding)),
      );
      const dim = parts[0].length;
      const joined = new Float32Array(dim * parts.length);
      parts.forEach((p, i) => joined.set(p, i * dim));
      segments.push({ embedding: joined, index: s, style, trip, tripIndex: index });
    }
    o.onProgress?.(++done, trips.length);
  }
  const dim = segments[0]?.embedding.length ?? 1;
  const key = (s: Segment): string => `${s.trip.id}|${s.index}`;
  const byKey = new Map(segments.map((s) => [key(s), s]));
  // Driver ID.
  const gallery = new ExactCosineIndex(segments[0]?.style.length ?? 1);
  const probes = segments.filter((s) => s.tripIndex >= o.galleryTrips);
  for (const s of segments) if (s.tripIndex < o.galleryTrips) gallery.add(key(s), s.style);
  let correct = 0;
  for (const p of probes) {
    const hit = gallery.search(p.style, 1)[0];
    if (hit && byKey.get(hit.id)?.trip.driverId === p.trip.driverId) correct++;
  }
  // Scenario retrieval over every segment, neighbours from other trips only.
  const all = new ExactCosineIndex(dim, segments.length);
  for (const s of segments) all.add(key(s), s.embedding);
  const scenarios: Record<string, number> = {};
  for (const s of segments) scenarios[s.trip.scenario] = (scenarios[s.trip.scenario] ?? 0) + 1;
  let precision = 0;
  let chance = 0;
  for (const s of segments) {
    const hits = all.search(s.embedding, k, { exclude: (id) => id.startsWith(`${s.trip.id}|`) });
    precision += precisionAtK(
      hits.map((h) => byKey.get(h.id)?.trip.scenario),
      s.trip.scenario,
      k,
    );
    chance += (scenarios[s.trip.scenario] - 1) / Math.max(segments.length - 1, 1);
  }
  const drivers = new Set(trips.map((t) => t.driverId)).size;
  return {
    driverChance: 1 / drivers,
    driverTop1: probes.length > 0 ? correct / probes.length : Number.NaN,
    drivers,
    gallerySegments: segments.length - probes.length,
    notes: [
      `segments of ${o.segmentS} s; windows of ${o.window} rows every ${o.stride}; channels ${o.channels.join(', ')}`,
      `gallery: the first ${o.galleryTrips} trips of each driver; probes: the others`,
      ...(o.notes ?? []),
    ],
    probeSegments: probes.length,
    scenarioChance: segments.length > 0 ? chance / segments.length : Number.NaN,
    scenarioPrecisionAt10: segments.length > 0 ? precision / segments.length : Number.NaN,
    scenarios,
    segments: segments.length,
  };
}
