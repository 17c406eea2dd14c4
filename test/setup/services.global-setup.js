// Starts the real Kafka and InfluxDB servers for integration tests (scripts/services/up.sh) and
// hands their addresses to the tests through the environment, which Jest's workers inherit.
//
// A service whose address is already set (KAFKA_BROKERS, INFLUX_URL) is used as it is and not
// started: that is how to run the integration tests against an existing cluster.
// Servers that were not running before are stopped again by services.global-teardown.js.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SERVICES_DIR = path.resolve(__dirname, '../../scripts/services');
// The first run downloads Kafka's jars and compiles influxd from source: minutes, not seconds.
const UP_TIMEOUT_MS = 45 * 60 * 1000;

function runDir() {
  const cache = process.env.FLEETFM_CACHE_DIR || path.join(os.homedir(), '.cache', 'fleetfm');
  return process.env.FLEETFM_RUN_DIR || path.join(cache, 'run');
}

function isRunning(service) {
  const result = spawnSync('bash', [path.join(SERVICES_DIR, `${service}.sh`), 'status'], {
    stdio: 'ignore',
  });
  return result.status === 0;
}

module.exports = async function globalSetup() {
  const wanted = [];
  if (!process.env.KAFKA_BROKERS) wanted.push('kafka');
  if (!process.env.INFLUX_URL) wanted.push('influx');
  globalThis.__FLEETFM_STARTED_SERVICES__ = [];
  if (wanted.length === 0) {
    console.log('\n[services] using KAFKA_BROKERS and INFLUX_URL from the environment');
    return;
  }

  const alreadyUp = wanted.filter(isRunning);
  console.log(`\n[services] starting ${wanted.join(' and ')} (scripts/services/up.sh)`);
  // A broker the tests start gets its own data dir, emptied on each start: test topics and
  // groups pile up otherwise (thousands after a few hundred runs) and slow every restart.
  const env = {
    ...process.env,
    FLEETFM_KAFKA_DATA_DIR:
      process.env.FLEETFM_KAFKA_DATA_DIR || path.join(runDir(), 'kafka-test-data'),
    FLEETFM_KAFKA_FRESH: process.env.FLEETFM_KAFKA_FRESH || '1',
  };
  const up = spawnSync('bash', [path.join(SERVICES_DIR, 'up.sh'), ...wanted], {
    env,
    stdio: 'inherit',
    timeout: UP_TIMEOUT_MS,
  });
  if (up.status !== 0) {
    const why = up.error ? up.error.message : `exit code ${up.status ?? up.signal}`;
    throw new Error(`scripts/services/up.sh failed (${why}); see its output above`);
  }
  globalThis.__FLEETFM_STARTED_SERVICES__ = wanted.filter((s) => !alreadyUp.includes(s));

  const services = JSON.parse(fs.readFileSync(path.join(runDir(), 'services.json'), 'utf8'));
  if (wanted.includes('kafka')) {
    process.env.KAFKA_BROKERS = services.kafka.brokers;
  }
  if (wanted.includes('influx')) {
    process.env.INFLUX_URL = services.influx.url;
    process.env.INFLUX_TOKEN = services.influx.token;
    process.env.INFLUX_ORG = services.influx.org;
    process.env.INFLUX_BUCKET = services.influx.bucket;
  }
};
