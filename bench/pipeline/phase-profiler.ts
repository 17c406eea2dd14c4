import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';

/**
 * CPU-profiles this thread (the ingest side: kafkajs consumer, IngestionService, the InfluxDB
 * adapter) over one phase only, like `node --cpu-prof` but without generation and ceilings.
 */
export class PhaseProfiler {
  private readonly session = new Session();

  private post<T>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) =>
      this.session.post(method, params ?? {}, (err, result) =>
        err ? reject(err) : resolve(result as T),
      ),
    );
  }

  async start(): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.post('Profiler.start');
  }

  /** Stops and writes `<dir>/<name>.cpuprofile` (open in Chrome DevTools); returns the path. */
  async stop(dir: string, name: string): Promise<string> {
    const { profile } = await this.post<{ profile: unknown }>('Profiler.stop');
    this.session.disconnect();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}
