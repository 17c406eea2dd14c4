// Stops the servers that services.global-setup.js started; servers that were already running
// before the test run are left as they were. FLEETFM_KEEP_SERVICES=1 keeps everything running
// (faster reruns while working on integration tests; stop with `npm run services:down`).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const SERVICES_DIR = path.resolve(__dirname, '../../scripts/services');

module.exports = async function globalTeardown() {
  const started = globalThis.__FLEETFM_STARTED_SERVICES__ ?? [];
  if (started.length === 0 || process.env.FLEETFM_KEEP_SERVICES === '1') return;
  const down = spawnSync('bash', [path.join(SERVICES_DIR, 'down.sh'), ...started], {
    stdio: 'inherit',
    timeout: 5 * 60 * 1000,
  });
  if (down.status !== 0) {
    throw new Error(`scripts/services/down.sh failed (exit code ${down.status ?? down.signal})`);
  }
};
