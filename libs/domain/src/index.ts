export * from './errors';
export * from './signals';
export * from './telemetry';
export * from './telemetry-parser';
export * from './time';
export * from './line-protocol';
export * from './telemetry-codec';
export * from './telemetry-codec.decoder';
