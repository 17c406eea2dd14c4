import * as path from 'node:path';
import type { FleetConfig } from '@fleetfm/config';
import { EmbeddedTimeSeriesStore } from './embedded/embedded-store';
import { InfluxTimeSeriesStore } from './influx/influx-time-series.store';
import type { TimeSeriesStore } from './time-series-store.port';

/**
 * The store this configuration asks for: InfluxDB when INFLUX_URL is set, otherwise the
 * embedded engine under FLEETFM_DATA_DIR/store.
 */
export async function openTimeSeriesStore(config: FleetConfig): Promise<TimeSeriesStore> {
  if (config.influx !== undefined) {
    return new InfluxTimeSeriesStore({
      url: config.influx.url,
      token: config.influx.token,
      org: config.influx.org,
      bucket: config.influx.bucket,
      gzipThreshold: config.influx.gzipThreshold,
    });
  }
  return EmbeddedTimeSeriesStore.open(path.join(config.dataDir, 'store'));
}
