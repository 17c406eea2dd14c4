export * from './time-series-store.port';
