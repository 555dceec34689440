/**
 * The README test (`npm run test:readme`): the README's runnable blocks against the built product
 * as real processes, `npm run target` and AWS on loopback. Not part of `npm test`: it needs the build.
 */
const root = require('../../jest.config.js');

const unit = root.projects[0];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'readme',
  testMatch: ['<rootDir>/test/readme/**/*.readme-spec.ts'],
  transform: unit.transform,
  transformIgnorePatterns: unit.transformIgnorePatterns,
  moduleFileExtensions: unit.moduleFileExtensions,
  testEnvironment: 'node',
  testTimeout: 120_000,
  maxWorkers: 1,
  verbose: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
