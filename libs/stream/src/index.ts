export * from './telemetry-stream.port';
export * from './embedded';
export * from './kafka';
