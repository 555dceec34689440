/**
 * The contract test (`npm run test:contract`): schemathesis against the OpenAPI document of the
 * built product, as real processes. Not part of `npm test`: it needs the build and a few minutes.
 */
const root = require('../../jest.config.js');

const unit = root.projects[0];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'contract',
  testMatch: ['<rootDir>/test/contract/**/*.contract-spec.ts'],
  transform: unit.transform,
  transformIgnorePatterns: unit.transformIgnorePatterns,
  moduleFileExtensions: unit.moduleFileExtensions,
  testEnvironment: 'node',
  testTimeout: 20 * 60_000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
