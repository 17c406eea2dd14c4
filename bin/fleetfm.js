#!/usr/bin/env node
// The `fleetfm` command: runs the compiled CLI (npm run build produces dist/).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('fleetfm is not built yet: run `npm run build` in the FleetFM folder first.');
  process.exit(1);
}
require(entry);
