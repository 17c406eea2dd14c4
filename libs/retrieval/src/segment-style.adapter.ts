import { InvalidRequestError } from '@fleetfm/domain';
import { SEGMENT_STYLE_SIGNALS, segmentStyleVector, type SegmentStyleHead } from '@fleetfm/model';
import { DriverStyleModelPort, type NamedColumn } from './driver-style-model.port';

/**
 * `DriverStyleModelPort` over the checkpoint's segment-level style head: the segment's
 * cross-channel statistics (speed, pedal, brake, and the acceleration, derived from the speed when
 * the segment has no accel_mps2 column) through the trained head. The caller owns the head.
 */
export class SegmentStyleAdapter extends DriverStyleModelPort {
  readonly description: string;

  constructor(private readonly head: SegmentStyleHead) {
    super();
    this.description = `segment style head (cross-channel statistics of ${REQUIRED.join(', ')}[, ${SEGMENT_STYLE_SIGNALS.accel}] → ${head.config.embeddingDim})`;
  }

  async embedSegment(columns: readonly NamedColumn[], rateHz: number): Promise<Float32Array> {
    const byName = new Map(columns.map((c) => [c.name, c.values]));
    const missing = REQUIRED.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      throw new InvalidRequestError(
        `the driver-style embedding reads the columns ${REQUIRED.join(', ')}; missing ${missing.join(', ')}`,
      );
    }
    if (!(rateHz > 0)) throw new InvalidRequestError(`sampling rate must be > 0 Hz, got ${rateHz}`);
    const get = (name: string): ArrayLike<number> => byName.get(name) as ArrayLike<number>;
    const vector = segmentStyleVector(
      {
        accel: byName.get(SEGMENT_STYLE_SIGNALS.accel),
        brake: get(SEGMENT_STYLE_SIGNALS.brake),
        pedal: get(SEGMENT_STYLE_SIGNALS.pedal),
        speed: get(SEGMENT_STYLE_SIGNALS.speed),
      },
      rateHz,
    );
    return this.head.embed([vector])[0];
  }
}

const REQUIRED = [
  SEGMENT_STYLE_SIGNALS.speed,
  SEGMENT_STYLE_SIGNALS.pedal,
  SEGMENT_STYLE_SIGNALS.brake,
] as const;
