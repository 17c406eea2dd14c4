import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServiceName = 'kafka' | 'influx';

export interface ServiceAddresses {
  readonly kafkaBrokers: string;
  readonly influxUrl: string;
  readonly influxToken: string;
  readonly influxOrg: string;
}

export interface RunningServices {
  readonly addresses: ServiceAddresses;
  /** Services this process started (and will stop); the others were already running. */
  readonly started: readonly ServiceName[];
  /** Server pids (for CPU accounting), when their status line names one. */
  readonly pids: Readonly<Partial<Record<ServiceName, number>>>;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVICES_DIR = path.join(REPO_ROOT, 'scripts', 'services');
const SERVICES: readonly ServiceName[] = ['kafka', 'influx'];
// A cold start provisions (Maven fetch, go build of influxd): minutes on 2 cores.
const UP_TIMEOUT_MS = 45 * 60 * 1000;

/** `<service>.sh status`: exit 0 and "running (pid N)" when up. */
function status(service: ServiceName): { running: boolean; pid?: number } {
  const result = spawnSync('bash', [path.join(SERVICES_DIR, `${service}.sh`), 'status'], {
    encoding: 'utf8',
  });
  const pid = /running \(pid (\d+)\)/.exec(result.stdout ?? '')?.[1];
  return { running: result.status === 0, ...(pid ? { pid: Number(pid) } : {}) };
}

/** Same place as test/setup/services.global-setup.js looks. */
function servicesJsonPath(): string {
  const cache = process.env.FLEETFM_CACHE_DIR || path.join(os.homedir(), '.cache', 'fleetfm');
  return path.join(process.env.FLEETFM_RUN_DIR || path.join(cache, 'run'), 'services.json');
}

/**
 * Runs scripts/services/up.sh (idempotent) and remembers which servers were not running before,
 * mirroring test/setup/services.global-setup.js, so that `stopServices` leaves the machine as it
 * found it.
 */
export function startServices(): RunningServices {
  const alreadyUp = SERVICES.filter((s) => status(s).running);
  const up = spawnSync('bash', [path.join(SERVICES_DIR, 'up.sh'), ...SERVICES], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: UP_TIMEOUT_MS,
  });
  if (up.status !== 0) {
    const why = up.error ? up.error.message : `exit code ${up.status ?? up.signal}`;
    throw new Error(`scripts/services/up.sh failed (${why}); see its output above`);
  }
  const started = SERVICES.filter((s) => !alreadyUp.includes(s));
  const json = JSON.parse(fs.readFileSync(servicesJsonPath(), 'utf8')) as {
    kafka: { brokers: string };
    influx: { url: string; token: string; org: string };
  };
  const pids: Partial<Record<ServiceName, number>> = {};
  for (const s of SERVICES) {
    const pid = status(s).pid;
    if (pid !== undefined) pids[s] = pid;
  }
  return {
    addresses: {
      kafkaBrokers: json.kafka.brokers,
      influxUrl: json.influx.url,
      influxToken: json.influx.token,
      influxOrg: json.influx.org,
    },
    started,
    pids,
  };
}

/** Stops only what `startServices` started (scripts/services/down.sh). */
export function stopServices(services: RunningServices): void {
  if (services.started.length === 0) return;
  const down = spawnSync('bash', [path.join(SERVICES_DIR, 'down.sh'), ...services.started], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 5 * 60 * 1000,
  });
  if (down.status !== 0) {
    throw new Error(`scripts/services/down.sh failed (exit code ${down.status ?? down.signal})`);
  }
}
