// One Jest run, three tiers: unit (*.spec.ts beside the code), integration against real
// Kafka/InfluxDB (*.int-spec.ts, services started by the global set-up), end-to-end (test/).
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;
// swc's own path rewriting is for the build; Jest resolves aliases through moduleNameMapper.
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;

// ESM-only dependencies of @fastify/static that Jest (CommonJS) must transform.
const esmOnly = ['content-disposition', 'glob', 'minimatch', 'path-scurry', 'lru-cache', 'jackspeak', 'package-json-from-dist', '@isaacs'];

const shared = {
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: { '^@fleetfm/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  // One worker: integration tests share one Kafka and one InfluxDB, and some of them stop and
  // restart a server on purpose; on our 2-core machines Jest would pick one worker anyway.
  maxWorkers: 1,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/services.global-setup.js',
      globalTeardown: '<rootDir>/test/setup/services.global-teardown.js',
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/chromium.global-setup.js',
    },
  ],
};
