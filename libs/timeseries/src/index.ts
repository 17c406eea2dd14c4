export * from './time-series-store.port';
export * from './store.factory';
export {
  EmbeddedTimeSeriesStore,
  type EmbeddedStoreOptions,
  type EmbeddedStoreStats,
} from './embedded/embedded-store';
export { InfluxTimeSeriesStore, type InfluxStoreOptions } from './influx/influx-time-series.store';
