/** Reads back what the ingest workers stored, through InfluxDB 1.8's InfluxQL HTTP API. */
export interface VehicleTotals {
  readonly points: number;
  readonly speedSum: number;
  readonly torqueSum: number;
}

interface InfluxQlResponse {
  results?: Array<{
    error?: string;
    series?: Array<{ tags?: Record<string, string>; values: Array<Array<number | string | null>> }>;
  }>;
  error?: string;
}

export class InfluxProbe {
  constructor(
    private readonly url: string,
    /** `db/retention-policy` as in config.influx.bucket. */
    private readonly bucket: string,
    private readonly measurement = 'telemetry',
    private readonly vehicleTag = 'vehicle_id',
  ) {}

  /** Points and checksums per vehicle whose id starts with `prefix`. */
  async totals(prefix: string): Promise<Map<string, VehicleTotals>> {
    const [db] = this.bucket.split('/');
    const q =
      `SELECT count("speed_mps") AS n, sum("speed_mps") AS s, sum("motor_torque_nm") AS t ` +
      `FROM "${this.measurement}" WHERE "${this.vehicleTag}" =~ /^${prefix}/ ` +
      `GROUP BY "${this.vehicleTag}"`;
    const response = await fetch(
      `${this.url}/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent(q)}`,
    );
    const body = (await response.json()) as InfluxQlResponse;
    const error = body.error ?? body.results?.[0]?.error;
    if (!response.ok || error) throw new Error(`InfluxQL failed (${response.status}): ${error}`);
    const out = new Map<string, VehicleTotals>();
    for (const series of body.results?.[0]?.series ?? []) {
      const [, n, s, t] = series.values[0];
      out.set(series.tags?.[this.vehicleTag] ?? '?', {
        points: Number(n),
        speedSum: Number(s),
        torqueSum: Number(t ?? 0),
      });
    }
    return out;
  }
}
