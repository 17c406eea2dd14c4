import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnomalyLabel, TripLog } from './anomaly-label';
import { AnomalyLabelSink } from './label.sink';

/**
 * Appends ground truth as JSON lines to `<dir>/anomalies.jsonl` and `<dir>/trips.jsonl`
 * (created on first use), one record per line, so evaluation can stream them and a restarted
 * simulator adds to, rather than replaces, earlier runs.
 */
export class JsonlLabelSink extends AnomalyLabelSink {
  private anomalies?: fs.WriteStream;
  private trips?: fs.WriteStream;

  constructor(readonly dir: string) {
    super();
  }

  get anomaliesFile(): string {
    return path.join(this.dir, 'anomalies.jsonl');
  }

  get tripsFile(): string {
    return path.join(this.dir, 'trips.jsonl');
  }

  writeAnomaly(label: AnomalyLabel): void {
    this.anomalies ??= this.open(this.anomaliesFile);
    this.anomalies.write(`${JSON.stringify(label)}\n`);
  }

  writeTrip(trip: TripLog): void {
    this.trips ??= this.open(this.tripsFile);
    this.trips.write(`${JSON.stringify(trip)}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([this.anomalies, this.trips].map((s) => (s ? end(s) : undefined)));
    this.anomalies = undefined;
    this.trips = undefined;
  }

  private open(file: string): fs.WriteStream {
    fs.mkdirSync(this.dir, { recursive: true });
    return fs.createWriteStream(file, { flags: 'a' });
  }
}

function end(stream: fs.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
