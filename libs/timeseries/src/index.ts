export * from './time-series-store.port';
export {
  EmbeddedTimeSeriesStore,
  type EmbeddedStoreOptions,
  type EmbeddedStoreStats,
} from './embedded/embedded-store';
