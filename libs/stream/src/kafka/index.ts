export { KafkaTelemetryStream, DEAD_LETTER_SUFFIX } from './kafka-telemetry-stream';
export type {
  KafkaLogLevel,
  KafkaStreamLogger,
  KafkaTelemetryStreamOptions,
} from './kafka-stream.options';
export { consumerLag } from './kafka-lag';
