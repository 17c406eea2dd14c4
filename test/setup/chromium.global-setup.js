// Browser tests drive Debian's Chromium through playwright-core (never a downloaded browser).
// On a fresh machine of our kind it is not installed yet: install it when we are root.
const { execSync } = require('node:child_process');
const fs = require('node:fs');

const CHROMIUM = '/usr/bin/chromium';

module.exports = async function globalSetup() {
  if (fs.existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  }
  console.log('\nInstalling Debian chromium for the browser tests (once)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execSync('apt-get install -y --no-install-recommends chromium', { stdio: 'inherit', env });
  } catch {
    execSync('apt-get update && apt-get install -y --no-install-recommends chromium', {
      stdio: 'inherit',
      env,
    });
  }
};
