/**
 * `npm run replay:record`: records new replay fixtures (test/replay/record-histories.ts) against
 * the run's dev server. Not part of `npm test`.
 */
const root = require('../../jest.config.js');

const workflows = root.projects.find((p) => p.displayName === 'workflows');

/** @type {import('jest').Config} */
module.exports = {
  ...workflows,
  rootDir: '../..',
  displayName: 'replay-record',
  testMatch: ['<rootDir>/test/replay/record-histories.ts'],
  testTimeout: 120_000,
};
