/**
 * Fault tests (`npm run test:faults`): the built apps as real processes, killed with SIGKILL.
 * Not part of `npm test`: each file starts its own dev server, worker and API, so there is no
 * globalSetup, and the files run one at a time.
 */
const root = require('../../jest.config.js');

const unit = root.projects[0];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'faults',
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  transform: unit.transform,
  transformIgnorePatterns: unit.transformIgnorePatterns,
  moduleFileExtensions: unit.moduleFileExtensions,
  testEnvironment: 'node',
  testTimeout: 180_000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
