import type { FleetConfig } from '@fleetfm/config';
import { EmbeddedTelemetryStream } from './embedded';
import { KafkaTelemetryStream } from './kafka';
import type { TelemetryStream } from './telemetry-stream.port';

/** The stream this configuration asks for: Kafka when KAFKA_BROKERS is set, else embedded. */
export async function createTelemetryStream(config: FleetConfig): Promise<TelemetryStream> {
  if (config.kafka !== undefined) {
    const stream = new KafkaTelemetryStream({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      partitions: config.kafka.partitions,
      compression: config.kafka.compression,
    });
    // Fail at start-up, with the broker address in the message, rather than on first use.
    await stream.ensureTopic(config.kafka.topic);
    return stream;
  }
  return new EmbeddedTelemetryStream({ capacity: config.stream.capacity });
}
