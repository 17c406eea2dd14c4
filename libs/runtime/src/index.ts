export * from './api-server';
export * from './drain';
export * from './fleet-feed';
export * from './ingest-worker';
export * from './lifecycle';
export * from './run-all';
export * from './runtime-info';
export * from './simulator-feed';
