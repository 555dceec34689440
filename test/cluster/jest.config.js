/**
 * Cluster tests (`npm run test:cluster`): the built workers and API replicas against a real
 * Temporal cluster (`npm run cluster`'s: PostgreSQL and the four services as processes), each
 * file with a cluster of its own in a temp folder; processes killed with SIGKILL. Not part of
 * `npm test`; the files run one at a time.
 */
const root = require('../../jest.config.js');

const unit = root.projects[0];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'cluster',
  testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
  // Builds the Temporal server from the Go module proxy once, when it is not built yet.
  globalSetup: '<rootDir>/test/cluster/support/global-setup.ts',
  transform: unit.transform,
  transformIgnorePatterns: unit.transformIgnorePatterns,
  moduleFileExtensions: unit.moduleFileExtensions,
  testEnvironment: 'node',
  testTimeout: 300_000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
