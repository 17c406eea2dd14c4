export * from './telemetry-stream.port';
export * from './embedded';
export * from './stream.factory';
export * from './kafka';
