import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

/** The compiled CLI (`npm test` builds first). */
export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

export interface RunningFleetfm {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  output(): string;
}

/** Starts `fleetfm start` on embedded adapters and a free port; resolves once it printed its URL. */
export function startFleetfm(
  dataDir: string,
  env: Record<string, string>,
): Promise<RunningFleetfm> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: {
      ...process.env,
      FLEETFM_DATA_DIR: dataDir,
      FLEETFM_LOG_LEVEL: 'warn',
      KAFKA_BROKERS: '',
      INFLUX_URL: '',
      PORT: '0',
      ...env,
    },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed in 60 s:\n${out}`)), 60_000);
    const onData = (): void => {
      const match = /Dashboard\s+(http:\/\/\S+?)\/?\s/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fleetfm exited with ${code}:\n${out}`));
    });
  });
}

/** Ctrl-C; resolves with the exit code. */
export function stopFleetfm(running: RunningFleetfm): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.removeAllListeners('exit');
    if (running.child.exitCode !== null) {
      resolve(running.child.exitCode);
      return;
    }
    running.child.on('exit', (code) => resolve(code));
    running.child.kill('SIGINT');
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
