export {
  EmbeddedTelemetryStream,
  type EmbeddedTelemetryStreamOptions,
  type EmbeddedTopicStats,
} from './embedded-telemetry-stream';
export type { HandlerErrorListener } from './consumer-group';
export { partitionForKey } from './partitioner';
