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

/**
 * `shared`: the machine's usual pair (scripts/services defaults), reused if running.
 * `isolated`: a second pair in its own run folder on other ports (see scripts/services/README),
 * out of reach of other test runs that stop, kill or restart the shared pair.
 */
export type ServicesMode = 'shared' | 'isolated';

/** Environment for scripts/services in isolated mode (binaries stay in the shared cache). */
function isolatedEnv(): Record<string, string> {
  const cache = process.env.FLEETFM_CACHE_DIR || path.join(os.homedir(), '.cache', 'fleetfm');
  return {
    FLEETFM_RUN_DIR: path.join(cache, 'bench-run'),
    FLEETFM_KAFKA_PORT: '29092',
    FLEETFM_KAFKA_CONTROLLER_PORT: '29093',
    FLEETFM_INFLUX_PORT: '28086',
    FLEETFM_INFLUX_RPC_PORT: '28088',
  };
}

export interface RunningServices {
  readonly mode: ServicesMode;
  /** Extra environment of every scripts/services call (isolated mode). */
  readonly env: Readonly<Record<string, string>>;
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
function status(
  service: ServiceName,
  env: Readonly<Record<string, string>>,
): { running: boolean; pid?: number } {
  const result = spawnSync('bash', [path.join(SERVICES_DIR, `${service}.sh`), 'status'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const pid = /running \(pid (\d+)\)/.exec(result.stdout ?? '')?.[1];
  return { running: result.status === 0, ...(pid ? { pid: Number(pid) } : {}) };
}

/** Same place as test/setup/services.global-setup.js looks. */
function servicesJsonPath(env: Readonly<Record<string, string>>): string {
  const cache = process.env.FLEETFM_CACHE_DIR || path.join(os.homedir(), '.cache', 'fleetfm');
  const runDir = env.FLEETFM_RUN_DIR ?? process.env.FLEETFM_RUN_DIR;
  return path.join(runDir || path.join(cache, 'run'), 'services.json');
}

/**
 * Runs scripts/services/up.sh (idempotent) and remembers which servers were not running before,
 * mirroring test/setup/services.global-setup.js, so that `stopServices` leaves the machine as it
 * found it.
 */
export function startServices(mode: ServicesMode = 'shared'): RunningServices {
  const env = mode === 'isolated' ? isolatedEnv() : {};
  const alreadyUp = SERVICES.filter((s) => status(s, env).running);
  const up = spawnSync('bash', [path.join(SERVICES_DIR, 'up.sh'), ...SERVICES], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: UP_TIMEOUT_MS,
    env: { ...process.env, ...env },
  });
  if (up.status !== 0) {
    const why = up.error ? up.error.message : `exit code ${up.status ?? up.signal}`;
    throw new Error(`scripts/services/up.sh failed (${why}); see its output above`);
  }
  const started = SERVICES.filter((s) => !alreadyUp.includes(s));
  const json = JSON.parse(fs.readFileSync(servicesJsonPath(env), 'utf8')) as {
    kafka: { brokers: string };
    influx: { url: string; token: string; org: string };
  };
  const pids: Partial<Record<ServiceName, number>> = {};
  for (const s of SERVICES) {
    const pid = status(s, env).pid;
    if (pid !== undefined) pids[s] = pid;
  }
  return {
    mode,
    env,
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
    env: { ...process.env, ...services.env },
    timeout: 5 * 60 * 1000,
  });
  if (down.status !== 0) {
    throw new Error(`scripts/services/down.sh failed (exit code ${down.status ?? down.signal})`);
  }
}

/**
 * Services whose server process changed (or vanished) since `startServices`: on this shared
 * machine other test runs stop, kill or restart the servers, which voids a measurement.
 */
export function restartedServices(services: RunningServices): ServiceName[] {
  return SERVICES.filter((s) => {
    const before = services.pids[s];
    return before !== undefined && status(s, services.env).pid !== before;
  });
}
