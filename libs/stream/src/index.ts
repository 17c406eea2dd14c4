export * from './telemetry-stream.port';
