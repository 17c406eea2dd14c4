import * as http from 'node:http';

/** Markers are found by (vehicle, exact timestamp). */
export interface Marker {
  readonly vehicleId: string;
  readonly ts: number;
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

interface InfluxQlResponse {
  results?: Array<{ statement_id?: number; series?: unknown[]; error?: string }>;
  error?: string;
}

/**
 * The few raw HTTP calls the benchmark makes to InfluxDB 1.8 itself (not through FleetFM):
 * database admin and counts over InfluxQL `/query`, marker look-ups, and line-protocol writes
 * to `/api/v2/write` for the write-only ceiling. Keep-alive sockets, like the adapter.
 */
export class InfluxHttp {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly base: URL;

  constructor(url: string) {
    this.base = new URL(url);
  }

  async createDatabase(db: string): Promise<void> {
    await this.influxQl(`CREATE DATABASE "${db}"`);
  }

  async dropDatabase(db: string): Promise<void> {
    await this.influxQl(`DROP DATABASE "${db}"`);
  }

  /** Points in measurement `telemetry` (every FleetFM point carries the integer field `present`). */
  async countPoints(db: string): Promise<number> {
    const res = await this.influxQl('SELECT count("present") FROM "telemetry"', db);
    const series = res.results?.[0]?.series as Array<{ values: number[][] }> | undefined;
    return series?.[0]?.values?.[0]?.[1] ?? 0;
  }

  /**
   * Which markers are queryable now: one request with one statement per marker (InfluxQL has no
   * OR over time ranges). Returns a flag per marker, in order.
   */
  async findMarkers(db: string, markers: readonly Marker[]): Promise<boolean[]> {
    if (markers.length === 0) return [];
    const q = markers
      .map(
        (m) =>
          `SELECT "present" FROM "telemetry" WHERE "vehicle_id"='${m.vehicleId}' AND time = ${m.ts}ms`,
      )
      .join(';');
    const res = await this.influxQl(q, db);
    const found = new Array<boolean>(markers.length).fill(false);
    for (const r of res.results ?? []) {
      if (r.statement_id !== undefined && (r.series?.length ?? 0) > 0) found[r.statement_id] = true;
    }
    return found;
  }

  /** POSTs line protocol (ms precision); resolves on 204. */
  async writeLines(db: string, body: string): Promise<void> {
    const reply = await this.request(
      `/api/v2/write?org=-&bucket=${encodeURIComponent(`${db}/autogen`)}&precision=ms`,
      body,
      'text/plain; charset=utf-8',
    );
    if (reply.status !== 204) {
      throw new Error(`InfluxDB write: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async influxQl(q: string, db?: string): Promise<InfluxQlResponse> {
    const form = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
    const reply = await this.request(
      '/query',
      form.toString(),
      'application/x-www-form-urlencoded',
    );
    const parsed = JSON.parse(reply.body) as InfluxQlResponse;
    const error = parsed.error ?? parsed.results?.find((r) => r.error)?.error;
    if (reply.status !== 200 || error) {
      throw new Error(`InfluxQL ${q.slice(0, 80)}: HTTP ${reply.status} ${error ?? ''}`);
    }
    return parsed;
  }

  private request(path: string, body: string, contentType: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
